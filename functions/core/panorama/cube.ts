import { invalidInput } from '../errors.ts';
import { atanUnit, fastAtan, fastAtan2 } from './fast-atan.ts';

/** Positions are fixed point: p is stored as round(p · 256), an integer and an 8-bit fraction. */
const WEIGHT_ONE = 256;
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
 * "Reflected about K" maps x + f to K − (x + f). Positions are integers plus an 8-bit fraction,
 * so the sampling kernel (worker/panorama/kernel) runs on integer arithmetic only. Its bicubic taps
 * (whole − 1 … whole + 2, weighted by the fraction) mirror with the position: K − p has the mirrored
 * taps and the mirrored weights. Positions are rounded to the nearest 1/256, so a reflected table
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
  readonly sideFy: Uint8Array;
  /** Zenith face, per quadrant pixel: x (wrapped to 0 … width − 1), y (−1 … height − 1) and their fractions. */
  readonly topX: Uint16Array;
  readonly topFx: Uint8Array;
  readonly topY: Int16Array;
  readonly topFy: Uint8Array;
}

/** Where the quadrant tables are allocated: fresh arrays, or views into a kernel's memory. */
export interface TableArrays {
  uint16(length: number): Uint16Array;
  uint8(length: number): Uint8Array;
}

const NEW_ARRAYS: TableArrays = { uint16: (length) => new Uint16Array(length), uint8: (length) => new Uint8Array(length) };

/**
 * A row position as one small integer: the row times 256 plus its 8-bit fraction. Rows run from
 * −0.5 (the north pole) to height − 0.5 (the south pole), so the row is −1 … height − 1.
 */
function rowSample(v: number, height: number): number {
  return Math.round(Math.min(height - 0.5, Math.max(-0.5, v)) * WEIGHT_ONE);
}

/** A column position as one small integer: the wrapped column times 256 plus its 8-bit fraction. */
export function columnSample(u: number, width: number): number {
  const fixed = Math.round(u * WEIGHT_ONE);
  const whole = Math.floor(fixed / WEIGHT_ONE);
  const wrapped = whole >= 0 && whole < width ? whole : ((whole % width) + width) % width;
  return wrapped * WEIGHT_ONE + (fixed - whole * WEIGHT_ONE);
}

/** A Uint16Array's memory as signed 16-bit integers (rows, which may be −1; the height is at most 32768). */
const signed = (array: Uint16Array) => new Int16Array(array.buffer, array.byteOffset, array.length);

/** Builds the quadrant tables for a `size`² face over a `width`×`height` panorama. */
export function sampleTables(size: number, width: number, height: number, arrays: TableArrays = NEW_ARRAYS): SampleTables {
  if (width > MAX_SOURCE_WIDTH) throw invalidInput(`a panorama at most ${MAX_SOURCE_WIDTH} pixels wide is supported`);
  const scaleX = width / (2 * Math.PI);
  const scaleY = height / Math.PI;
  const half = Math.ceil(size / 2);
  const quadrant = half * half;
  const tables: SampleTables = {
    size,
    half,
    width,
    height,
    sideX: new Float64Array(size),
    sideY: signed(arrays.uint16(quadrant)),
    sideFy: arrays.uint8(quadrant),
    topX: arrays.uint16(quadrant),
    topFx: arrays.uint8(quadrant),
    topY: signed(arrays.uint16(quadrant)),
    topFy: arrays.uint8(quadrant),
  };
  const { sideY, sideFy, topX, topFx, topY, topFy } = tables;
  const coordinate = (index: number) => (2 * (index + 0.5)) / size - 1;
  for (let column = 0; column < size; column++) tables.sideX[column] = (fastAtan(coordinate(column)) + Math.PI) * scaleX - 0.5;
  const coordinates = Float64Array.from({ length: half }, (_, index) => coordinate(index));
  // Per column, for the side faces' latitude: 1/√(1 + a²).
  const inverseNorms = coordinates.map((a) => 1 / Math.sqrt(1 + a * a));
  // Three passes, one table each: V8 keeps each small loop in registers, where one loop doing all
  // three ran at half the speed.
  for (let row = 0; row < half; row++) {
    const b = coordinates[row]!;
    for (let column = 0, index = row * half; column < half; column++, index++) {
      // Side face f looks along (a, -b, 1): latitude atan(-b / √(1 + a²)), within ±π/4.
      const side = rowSample((Math.PI / 2 - atanUnit(-b * inverseNorms[column]!)) * scaleY - 0.5, height);
      sideY[index] = side >> 8;
      sideFy[index] = side;
    }
  }
  // Zenith face u looks along (a, 1, b): its distance from the pole is atan(√(a² + b²)), its
  // longitude atan2(a, b).
  for (let row = 0; row < half; row++) {
    const b = coordinates[row]!;
    for (let column = 0, index = row * half; column < half; column++, index++) {
      const a = coordinates[column]!;
      const top = rowSample(fastAtan(Math.sqrt(a * a + b * b)) * scaleY - 0.5, height);
      topY[index] = top >> 8;
      topFy[index] = top;
    }
  }
  for (let row = 0; row < half; row++) {
    const b = coordinates[row]!;
    for (let column = 0, index = row * half; column < half; column++, index++) {
      const longitude = columnSample((fastAtan2(coordinates[column]!, b) + Math.PI) * scaleX - 0.5, width);
      topX[index] = longitude >> 8;
      topFx[index] = longitude;
    }
  }
  return tables;
}
