import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** What survives a crash: enough to resume the same upload and skip the slices S3 already has. */
export interface UploadState {
  readonly version: 1;
  readonly endpoint: string;
  readonly appId: string;
  readonly file: { readonly path: string; readonly size: number; readonly mtimeMs: number };
  readonly sliceSize: number;
  readonly uploadId: string;
  /** slice id → the ETag S3 answered for it. */
  readonly done: Record<string, string>;
}

export function loadState(path: string): UploadState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as UploadState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a kill mid-write never leaves a torn state file. */
export function saveState(path: string, state: UploadState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, path);
}

export const forgetState = (path: string) => rmSync(path, { force: true });

export function matches(state: UploadState, expected: Omit<UploadState, 'version' | 'uploadId' | 'done' | 'sliceSize'>): boolean {
  return (
    state.endpoint === expected.endpoint &&
    state.appId === expected.appId &&
    state.file.size === expected.file.size &&
    state.file.mtimeMs === expected.file.mtimeMs
  );
}
