import { objectStore } from '../adapters/object-store.ts';

// Image headers sit in the first bytes, but a JPEG's EXIF block can push its size marker past
// the first read; the second read covers the 64 KiB APP segments a camera may write.
const HEADER_READS = [64 * 1024, 1024 * 1024];

/**
 * A header `parse` finds in an object's first bytes (64 KiB, then 1 MiB), without reading the
 * rest; undefined when it finds none there.
 */
export async function headerOf<T>(key: string, size: number, parse: (bytes: Buffer) => T | undefined): Promise<T | undefined> {
  if (size === 0) return undefined;
  for (const bytes of HEADER_READS) {
    const header = parse(await objectStore.readStart(key, Math.min(bytes, size)));
    if (header || bytes >= size) return header;
  }
  return undefined;
}
