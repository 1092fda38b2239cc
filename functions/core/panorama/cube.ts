import { invalidInput } from '../errors.ts';
import { fastAtan } from './fast-atan.ts';

/**
 * Positions are fixed point: p is stored as round(p · 1024), an integer and a 10-bit fraction. At
 * 1/256 of a pixel the rounding alone cost the photograph's full-face views up to 0.03 dB against
 * exact positions (docs/panorama.md, "Fidelity"); the kernel's weight table has a row a fraction.
 */
export const FRACTION_BITS = 10;
export const FRACTION_ONE = 1 << FRACTION_BITS;
/** A fixed-point position's integer part (−1 for rows within half a row of the north pole). */
export const wholeOf = (sample: number): number => sample >> FRACTION_BITS;
/** A fixed-point position's fraction, 0 … FRACTION_ONE − 1. */
export const fractionOf = (sample: number): number => sample & (FRACTION_ONE - 1);
/** Positions are stored as 16-bit integers, which bounds the source width. */
export const MAX_SOURCE_WIDTH = 65536;

/**
 * Where each face pixel samples the equirectangular image, for one quadrant of a face, shared by
 * all six faces. The four side faces differ only by a quarter turn of longitude (a shift of W/4
 * in x) and the nadir face is the zenith face upside down with y reflected. Within a face, face
 * coordinates are antisymmetric about the centre, so one quadrant (the top left, ⌈size/2⌉² pixels)
 * describes the rest:
 * - side faces: y is the same in the mirrored column and reflected in the mirrored row;
 * - zenith: y is the same in all four; x (longitude) is reflected about W − 1 in the mirrored
 *   column, about W/2 − 1 in the mirrored row, and the same in the opposite quadrant.
 * "Reflected about K" maps x + f to K − (x + f). Positions are integers plus a 10-bit fraction,
 * so the sampling kernel (worker/panorama/kernel) runs on integer arithmetic only. Its bicubic taps
 * (whole − 1 … whole + 2, weighted by the fraction) mirror with the position: K − p has the mirrored
 * taps and the mirrored weights. Positions are rounded to the nearest 1/1024, so a reflected table
 * entry is the entry of the reflected position.
 */
export interface SampleTables {
  readonly size: number;
  /** ⌈size/2⌉: the quadrant's side. */
  readonly half: number;
  readonly width: number;
  readonly height: number;
  /** Side faces: x (before the face's turn) per face column, as a double. */
  readonly sideX: Float64Array;
  /**
   * Side faces, per quadrant pixel: y and its fraction. Rows are not clamped: y is −1 within half a
   * row of the north pole (the kernel reads the rows across a pole).
   */
  readonly sideY: Int16Array;
  readonly sideFy: Uint16Array;
  /** Zenith face, per quadrant pixel: x (wrapped to 0 … width − 1), y (−1 … height − 1) and their fractions. */
  readonly topX: Uint16Array;
  readonly topFx: Uint16Array;
  readonly topY: Int16Array;
  readonly topFy: Uint16Array;
  /** The quadrant's face coordinates, 2(i + 0.5)/size − 1 for i < half, from which its entries are computed. */
  readonly coordinates: Float64Array;
  /** 1/√(1 + a²) for each coordinate a (the side faces' latitude). */
  readonly inverseNorms: Float64Array;
}

/** Where the tables are allocated: views into a kernel's memory, or fresh arrays. */
export interface TableArrays {
  uint16(length: number): Uint16Array;
  float64(length: number): Float64Array;
}

/**
 * The quadrant entries, per quadrant pixel (row b, column a, from the coordinates):
 * - side faces: face f looks along (a, −b, 1), so y is the latitude atan(−b / √(1 + a²)) (within
 *   ±π/4) as a row position;
 * - zenith: face u looks along (a, 1, b): y is the distance from the pole atan(√(a² + b²)), x the
 *   longitude atan2(a, b), as a column position.
 * Computed by the projection kernel (worker/panorama/kernel/tables.as.ts); the same formulas in
 * plain JavaScript (test/support/reference-tables.ts) check it bit for bit.
 */
export type QuadrantFiller = (tables: SampleTables) => void;

/** A Uint16Array's memory as signed 16-bit integers (rows, which may be −1; the height is at most 32768). */
const signed = (array: Uint16Array) => new Int16Array(array.buffer, array.byteOffset, array.length);

/** Lays out the quadrant tables for a `size`² face over a `width`×`height` panorama and fills them. */
export function sampleTables(size: number, width: number, height: number, arrays: TableArrays, fillQuadrant: QuadrantFiller): SampleTables {
  if (width > MAX_SOURCE_WIDTH) throw invalidInput(`a panorama at most ${MAX_SOURCE_WIDTH} pixels wide is supported`);
  const scaleX = width / (2 * Math.PI);
  const half = Math.ceil(size / 2);
  const quadrant = half * half;
  const coordinate = (index: number) => (2 * (index + 0.5)) / size - 1;
  const coordinates = arrays.float64(half);
  const inverseNorms = arrays.float64(half);
  for (let index = 0; index < half; index++) {
    const a = (coordinates[index] = coordinate(index));
    inverseNorms[index] = 1 / Math.sqrt(1 + a * a);
  }
  const sideX = new Float64Array(size);
  for (let column = 0; column < size; column++) sideX[column] = (fastAtan(coordinate(column)) + Math.PI) * scaleX - 0.5;
  const tables: SampleTables = {
    size,
    half,
    width,
    height,
    sideX,
    sideY: signed(arrays.uint16(quadrant)),
    sideFy: arrays.uint16(quadrant),
    topX: arrays.uint16(quadrant),
    topFx: arrays.uint16(quadrant),
    topY: signed(arrays.uint16(quadrant)),
    topFy: arrays.uint16(quadrant),
    coordinates,
    inverseNorms,
  };
  fillQuadrant(tables);
  return tables;
}

/** A column position as one small integer: the wrapped column times 1024 plus its 10-bit fraction. */
export function columnSample(u: number, width: number): number {
  const fixed = Math.round(u * FRACTION_ONE);
  const whole = Math.floor(fixed / FRACTION_ONE);
  const wrapped = whole >= 0 && whole < width ? whole : ((whole % width) + width) % width;
  return wrapped * FRACTION_ONE + (fixed - whole * FRACTION_ONE);
}
