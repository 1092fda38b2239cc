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
 * Checks that slices 1..N are all there, none empty but the last (xfyun's demo sends an empty
 * last slice when a file is an exact multiple of its slice size), and (for slices that become
 * S3 parts one-to-one) each but the last within S3's part size limits. Throws naming every bad slice.
 */
export function checkSlices(slices: readonly SliceSize[], options: { partSized: boolean }): void {
  if (slices.length === 0) throw invalidInput('no slices were uploaded');
  const missing = missingSlices(slices.map((slice) => slice.sliceId));
  if (missing.length) throw invalidInput(`slices missing: ${describeIds(missing)}`);
  const sorted = [...slices].sort((a, b) => a.sliceId - b.sliceId);
  const last = sorted.at(-1)!.sliceId;
  const empty = sorted.filter((slice) => slice.size === 0 && slice.sliceId !== last).map((slice) => slice.sliceId);
  if (empty.length) throw invalidInput(`slices empty (only the last may be): ${describeIds(empty)}`);
  if (!options.partSized) return;
  const small = sorted.filter((slice) => slice.sliceId !== last && slice.size < MIN_PART_BYTES).map((slice) => slice.sliceId);
  if (small.length) throw invalidInput(`slices smaller than 5 MiB (only the last may be): ${describeIds(small)}`);
  const big = sorted.filter((slice) => slice.size > MAX_PART_BYTES).map((slice) => slice.sliceId);
  if (big.length) throw invalidInput(`slices larger than 5 GiB: ${describeIds(big)}`);
}

/**
 * Proxied slices, whatever their sizes, make one file that is cut into S3 parts of this many
 * bytes (the last part shorter): at least S3's 5 MiB, and small enough to stream from staging
 * part by part (and for the local emulator's 11 MiB request limit).
 */
export const PROXIED_PART_BYTES = 8 * 1024 * 1024;

/** A byte range of one slice. */
export interface SlicePiece {
  readonly sliceId: number;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface PlannedPart {
  readonly partNumber: number;
  /** Where the part starts in the whole file. */
  readonly offset: number;
  readonly size: number;
  /** The slice bytes it is made of, in order. */
  readonly pieces: readonly SlicePiece[];
}

/** Slices 1, 2, … for as long as none is missing, in order. */
function leadingRun(sizes: ReadonlyMap<number, number>): SliceSize[] {
  const run: SliceSize[] = [];
  for (let id = MIN_SLICE_ID; sizes.has(id); id++) run.push({ sliceId: id, size: sizes.get(id)! });
  return run;
}

/** Cuts slices, in order, into parts of PROXIED_PART_BYTES; the rest (if `whole`) into a last part. */
function cut(slices: readonly SliceSize[], whole: boolean): PlannedPart[] {
  const parts: PlannedPart[] = [];
  let pieces: SlicePiece[] = [];
  let size = 0;
  const close = () => {
    parts.push({ partNumber: parts.length + 1, offset: parts.length * PROXIED_PART_BYTES, size, pieces });
    pieces = [];
    size = 0;
  };
  for (const slice of slices) {
    for (let start = 0; start < slice.size;) {
      const end = Math.min(slice.size, start + PROXIED_PART_BYTES - size);
      pieces.push({ sliceId: slice.sliceId, start, end });
      size += end - start;
      start = end;
      if (size === PROXIED_PART_BYTES) close();
    }
  }
  // S3 needs at least one part, even for an empty file.
  if (whole && (size > 0 || parts.length === 0)) close();
  return parts;
}

/** The parts of the whole file that slices 1..N make. Deterministic: parts assembled early are the same parts. */
export const planParts = (slices: readonly SliceSize[]): PlannedPart[] =>
  cut(
    [...slices].sort((a, b) => a.sliceId - b.sliceId),
    true,
  );

/**
 * The parts that can be assembled while slices still arrive: those from `nextPart` that the
 * slices present from slice 1 on, without a gap, fill completely.
 */
export function readyParts(sizes: ReadonlyMap<number, number>, nextPart: number): PlannedPart[] {
  return cut(leadingRun(sizes), false).filter((part) => part.partNumber >= nextPart);
}

/** Slice size for a file: at least 5 MiB, whole MiB, and few enough slices to stay within 10,000. */
export function chooseSliceSize(fileSize: number): number {
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_BYTES, Math.ceil(fileSize / MAX_SLICE_ID / mib) * mib);
}
