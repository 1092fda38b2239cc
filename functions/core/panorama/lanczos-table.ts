/**
 * The tables of the 2:1 Lanczos-3 reduction between a face's levels (the kernel's `reduce`, in
 * worker/panorama/kernel/lanczos.as.ts). Output pixel i of an n → m reduction sits at source
 * (i + 0.5)·s − 0.5, s = n/m, and takes the source pixels strictly within 3·s of it, weighted by
 * lanczos3((k − centre)/s), as libvips's reduce does; indices past an edge repeat the edge pixel.
 */

/** Taps per output index the kernel takes: 3·s either side for s ≤ 2. */
export const LANCZOS_TAPS = 12;
/** Weights are Q14 (16384 = 1). */
const WEIGHT_ONE = 1 << 14;
/** An entry: 12 source indices (i32), then 6 i32 of two Q14 weights each (taps 2k low, 2k + 1 high). */
export const LANCZOS_ENTRY_BYTES = 72;
/** Output rows the kernel makes at a time; the table has an entry for every row of the last strip. */
export const REDUCTION_STRIP = 16;
const pad16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

export function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Strips of 16 output rows an n → m reduction is made in. */
export const reductionStrips = (m: number) => Math.ceil(m / REDUCTION_STRIP);

export const lanczosTableBytes = (m: number) => reductionStrips(m) * REDUCTION_STRIP * LANCZOS_ENTRY_BYTES;

/**
 * Scratch bytes a thread needs for one n → m call: the strip's rows, their transpose, the
 * horizontal pass's result and the short last strip's rows.
 */
export const reductionScratchBytes = (n: number, m: number) => 2 * REDUCTION_STRIP * pad16(3 * n) + 2 * REDUCTION_STRIP * pad16(3 * m);

/**
 * The weights of output index i: the first source index (before clamping) and the normalised
 * weights. For s a little above 2 (odd n, m = ⌊n/2⌋) some centres have 13 taps within reach: the end
 * tap with the smaller weight is dropped and the rest renormalised. It weighs under 2⁻¹² of the
 * total for m ≥ 22 (a tenth of a grey level at a black-and-white edge), 1.2·10⁻⁶ at 651 → 325; the
 * product's levels are 256 pixels or more, and only levels of a few pixels lose more.
 */
export function lanczosTaps(n: number, m: number, i: number): { first: number; weights: number[] } {
  const scale = n / m;
  const centre = (i + 0.5) * scale - 0.5;
  let first = Math.floor(centre - 3 * scale) + 1;
  let last = Math.ceil(centre + 3 * scale) - 1;
  const weight = (k: number) => lanczos3((k - centre) / scale);
  while (last - first + 1 > LANCZOS_TAPS) {
    if (Math.abs(weight(first)) < Math.abs(weight(last))) first += 1;
    else last -= 1;
  }
  const weights: number[] = [];
  for (let k = first; k <= last; k++) weights.push(weight(k));
  const sum = weights.reduce((a, b) => a + b, 0);
  return { first, weights: weights.map((w) => w / sum) };
}

/**
 * Writes the kernel's table for n → m into `into` (lanczosTableBytes(m) / 4 entries of i32): for
 * each output index, 12 source indices clamped to 0…n−1 and Q14 weights that sum to exactly 16384
 * (running sums rounded, the weights their differences), so flat areas stay flat. Entries past m − 1
 * repeat the last one. The kernel trusts these indices, so tables come only from here.
 */
export function writeLanczosTable(n: number, m: number, into: Int32Array): void {
  if (!Number.isInteger(n) || !Number.isInteger(m) || m < 1 || n < 3 || n < m || n > 2 * m + 1) {
    throw new Error(`the kernel reduces n to ⌊n/2⌋ … n pixels, n ≥ 3, not ${n} → ${m}`);
  }
  const entries = reductionStrips(m) * REDUCTION_STRIP;
  if (into.length !== (entries * LANCZOS_ENTRY_BYTES) / 4)
    throw new Error(`a ${n} → ${m} table has ${(entries * LANCZOS_ENTRY_BYTES) / 4} words`);
  let taps = lanczosTaps(n, m, 0);
  for (let entry = 0; entry < entries; entry++) {
    if (entry < m) taps = lanczosTaps(n, m, entry);
    const { first, weights } = taps;
    const at = (entry * LANCZOS_ENTRY_BYTES) / 4;
    const quantised: number[] = [];
    let running = 0;
    let previous = 0;
    for (let k = 0; k < LANCZOS_TAPS; k++) {
      running += weights[k] ?? 0;
      const rounded = k === LANCZOS_TAPS - 1 ? WEIGHT_ONE : Math.round(running * WEIGHT_ONE);
      quantised.push(rounded - previous);
      previous = rounded;
      // Taps past the weights' end repeat the last index, with weight 0.
      into[at + k] = Math.min(n - 1, Math.max(0, first + Math.min(k, weights.length - 1)));
    }
    for (let pair = 0; pair < LANCZOS_TAPS / 2; pair++) {
      into[at + LANCZOS_TAPS + pair] = (quantised[2 * pair]! & 0xffff) | (quantised[2 * pair + 1]! << 16);
    }
  }
}
