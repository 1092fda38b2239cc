import { libcFunction } from './libc.ts';

/** <sys/mman.h>: back this range with transparent huge pages where the kernel allows it. */
const MADV_HUGEPAGE = 14;
const HUGE_PAGE = 2 * 1024 * 1024;

type Madvise = (address: ArrayBufferLike, length: number, advice: number) => number;
let madvise: Madvise | null | undefined;

/**
 * Asks the kernel to back a large, not yet touched buffer with 2 MiB pages: its first touch then
 * faults once per 2 MiB instead of once per 4 KiB. On Firecracker guests a 4 KiB fault costs
 * ~12 µs (~3.4 ms per MB: the 16K panorama's 596 MiB of kernel memory, 2 s of CPU); on huge pages
 * the first touch costs ~0.08 ms per MB where the host already backs that memory, up to ~2.7 ms
 * where it does not. Advice only: where it is refused (THP `never`, no koffi, not Linux) pages stay
 * 4 KiB and nothing else changes. Returns whether the kernel took it.
 */
export function adviseHugePages(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength < HUGE_PAGE) return false;
  madvise ??= libcFunction<Madvise>('int madvise(void *address, size_t length, int advice)');
  return madvise !== null && madvise(buffer, buffer.byteLength, MADV_HUGEPAGE) === 0;
}
