/** Length of a face descriptor: @vladmandic/face-api's 128-D embedding. */
export const DESCRIPTOR_LENGTH = 128;

/**
 * Faces packed column by column: row i is faceIds[i], personIds[i], weights[i] (how many photos
 * were averaged into the descriptor) and descriptors[i·128 … i·128+127]. One Float32Array for
 * all descriptors keeps a search a linear walk through memory.
 */
export interface FaceRows {
  readonly count: number;
  readonly faceIds: Uint32Array;
  readonly personIds: Uint32Array;
  readonly weights: Float32Array;
  readonly descriptors: Float32Array;
}

export const NO_ROWS: FaceRows = {
  count: 0,
  faceIds: new Uint32Array(0),
  personIds: new Uint32Array(0),
  weights: new Float32Array(0),
  descriptors: new Float32Array(0),
};

/** Bytes of one row. */
export const ROW_BYTES = 4 + 4 + 4 + DESCRIPTOR_LENGTH * 4;

/** How often the partial sum is compared with the best so far: 16 floats keep the check cheap and the exit early. */
const CHECK_EVERY = 16;

/**
 * The row nearest to `query` among `rows` (skipping those `hidden` marks) whose squared
 * euclidean distance is at most `boundSquared`, or -1. A row is abandoned as soon as its partial
 * sum passes the best so far, which is where most of a large space's rows stop.
 */
export function nearestRow(
  rows: FaceRows,
  hidden: Uint8Array | undefined,
  query: Float32Array,
  boundSquared: number,
): { row: number; squared: number } {
  const descriptors = rows.descriptors;
  let best = boundSquared;
  let found = -1;
  for (let row = 0, offset = 0; row < rows.count; row++, offset += DESCRIPTOR_LENGTH) {
    if (hidden !== undefined && hidden[row] === 1) continue;
    let sum = 0;
    for (let k = 0; k < DESCRIPTOR_LENGTH && sum <= best;) {
      for (const end = k + CHECK_EVERY; k < end; k++) {
        const difference = descriptors[offset + k]! - query[k]!;
        sum += difference * difference;
      }
    }
    if (sum < best || (sum === best && found < 0)) {
      best = sum;
      found = row;
    }
  }
  return { row: found, squared: best };
}
