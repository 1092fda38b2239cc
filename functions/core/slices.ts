import { invalidInput } from './errors.ts';

export const MIN_SLICE_ID = 1;
export const MAX_SLICE_ID = 10_000;
/** S3's part limits, which the seed repeats for slices: 5 MiB to 5 GiB, the last may be smaller. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;

export interface SliceSize {
  readonly sliceId: number;
  readonly size: number;
}

/** "3, 7-9, 12": slice ids, runs folded, for error messages that name what is wrong. */
export function describeIds(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let index = 0; index < sorted.length;) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    runs.push(end === index ? `${sorted[index]}` : `${sorted[index]}-${sorted[end]}`);
    index = end + 1;
  }
  return runs.join(', ');
}

/** The ids missing from 1..max(ids). */
export function missingSlices(ids: readonly number[]): number[] {
  const present = new Set(ids);
  const last = Math.max(0, ...ids);
  const missing: number[] = [];
  for (let id = 1; id <= last; id++) if (!present.has(id)) missing.push(id);
  return missing;
}

/**
 * Checks that slices 1..N are all there, none empty, and (for slices that become S3 parts
 * one-to-one) each but the last within S3's part size limits. Throws naming every bad slice.
 */
export function checkSlices(slices: readonly SliceSize[], options: { partSized: boolean }): void {
  if (slices.length === 0) throw invalidInput('no slices were uploaded');
  const missing = missingSlices(slices.map((slice) => slice.sliceId));
  if (missing.length) throw invalidInput(`slices missing: ${describeIds(missing)}`);
  const sorted = [...slices].sort((a, b) => a.sliceId - b.sliceId);
  const empty = sorted.filter((slice) => slice.size === 0 && sorted.length > 1).map((slice) => slice.sliceId);
  if (empty.length) throw invalidInput(`slices empty: ${describeIds(empty)}`);
  if (!options.partSized) return;
  const last = sorted.at(-1)!.sliceId;
  const small = sorted.filter((slice) => slice.sliceId !== last && slice.size < MIN_PART_BYTES).map((slice) => slice.sliceId);
  if (small.length) throw invalidInput(`slices smaller than 5 MiB (only the last may be): ${describeIds(small)}`);
  const big = sorted.filter((slice) => slice.size > MAX_PART_BYTES).map((slice) => slice.sliceId);
  if (big.length) throw invalidInput(`slices larger than 5 GiB: ${describeIds(big)}`);
}

export interface PlannedPart {
  readonly partNumber: number;
  readonly firstSlice: number;
  readonly lastSlice: number;
  readonly size: number;
}

/**
 * Groups contiguous slices, in order, into S3 parts of at least 5 MiB; whatever is left at the
 * end becomes the last part, which S3 lets be smaller. Deterministic, so parts assembled while
 * slices arrive are exactly the ones complete would plan.
 */
export function planParts(slices: readonly SliceSize[]): PlannedPart[] {
  const sorted = [...slices].sort((a, b) => a.sliceId - b.sliceId);
  const parts: PlannedPart[] = [];
  let first = 0;
  let size = 0;
  sorted.forEach((slice, index) => {
    if (size === 0) first = slice.sliceId;
    size += slice.size;
    if (size >= MIN_PART_BYTES || index === sorted.length - 1) {
      parts.push({ partNumber: parts.length + 1, firstSlice: first, lastSlice: slice.sliceId, size });
      size = 0;
    }
  });
  return parts;
}

/**
 * The next run to assemble while slices still arrive: contiguous slices from `nextSlice` whose
 * sizes reach 5 MiB. Undefined while the run is still short or has a gap.
 */
export function readyRun(slices: ReadonlyMap<number, number>, nextSlice: number): { lastSlice: number; size: number } | undefined {
  let size = 0;
  for (let id = nextSlice; slices.has(id); id++) {
    size += slices.get(id)!;
    if (size >= MIN_PART_BYTES) return { lastSlice: id, size };
  }
  return undefined;
}

/** Slice size for a file: at least 5 MiB, whole MiB, and few enough slices to stay within 10,000. */
export function chooseSliceSize(fileSize: number): number {
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_BYTES, Math.ceil(fileSize / MAX_SLICE_ID / mib) * mib);
}
