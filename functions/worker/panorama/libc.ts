import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);
let resolved: string | null | undefined;

/**
 * Where koffi (a prebuilt FFI; the worker's bundle leaves it out and the sharp layer ships it, found
 * through NODE_PATH on Lambda) loads from, so a helper thread can load the same copy; null where it
 * is missing or this is not Linux.
 */
export function koffiPath(): string | null {
  if (resolved !== undefined) return resolved;
  try {
    resolved = process.platform === 'linux' ? nodeRequire.resolve('koffi') : null;
  } catch {
    resolved = null;
  }
  return resolved;
}

/** A libc function through koffi, by its C prototype; null where koffi or the function is missing. */
export function libcFunction<F>(prototype: string): F | null {
  const path = koffiPath();
  if (!path) return null;
  try {
    return (nodeRequire(path) as typeof import('koffi')).load('libc.so.6').func(prototype) as F;
  } catch {
    return null;
  }
}
