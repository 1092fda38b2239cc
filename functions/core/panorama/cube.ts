import { invalidInput } from '../errors.ts';
import { fastAtan, fastAtan2 } from './fast-atan.ts';

/** Bilinear weights are fixed point: a fraction f is stored as floor(f · 256). */
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
 * so the sampling kernel (worker/panorama/kernel) runs on integer arithmetic only.
 */
export interface SampleTables {
  readonly size: number;
  /** ⌈size/2⌉: the quadrant's side. */
  readonly half: number;
  readonly width: number;
  readonly height: number;
  /** Side faces: x (before the face's turn) per face column, as a double. */
  readonly sideX: Float64Array;
  /** Side faces, per quadrant pixel: y and its fraction. */
  readonly sideY: Uint16Array;
  readonly sideFy: Uint8Array;
  /** Zenith face, per quadrant pixel: x, y and their fractions. */
  readonly topX: Uint16Array;
  readonly topFx: Uint8Array;
  readonly topY: Uint16Array;
  readonly topFy: Uint8Array;
}

/** Where the quadrant tables are allocated: fresh arrays, or views into a kernel's memory. */
export interface TableArrays {
  uint16(length: number): Uint16Array;
  uint8(length: number): Uint8Array;
}

const NEW_ARRAYS: TableArrays = { uint16: (length) => new Uint16Array(length), uint8: (length) => new Uint8Array(length) };

/** A row position as one small integer: the clamped row times 256 plus its 8-bit fraction (0 at the clamped poles). */
function rowSample(v: number, height: number): number {
  const whole = Math.floor(v);
  if (whole < 0) return 0;
  if (whole >= height - 1) return (height - 1) * WEIGHT_ONE;
  return whole * WEIGHT_ONE + Math.floor((v - whole) * WEIGHT_ONE);
}

/** A column position as one small integer: the wrapped column times 256 plus its 8-bit fraction. */
export function columnSample(u: number, width: number): number {
  const whole = Math.floor(u);
  const wrapped = whole >= 0 && whole < width ? whole : ((whole % width) + width) % width;
  return wrapped * WEIGHT_ONE + Math.floor((u - whole) * WEIGHT_ONE);
}

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
    sideY: arrays.uint16(quadrant),
    sideFy: arrays.uint8(quadrant),
    topX: arrays.uint16(quadrant),
    topFx: arrays.uint8(quadrant),
    topY: arrays.uint16(quadrant),
    topFy: arrays.uint8(quadrant),
  };
  const { sideY, sideFy, topX, topFx, topY, topFy } = tables;
  const coordinate = (index: number) => (2 * (index + 0.5)) / size - 1;
  for (let column = 0; column < size; column++) tables.sideX[column] = (fastAtan(coordinate(column)) + Math.PI) * scaleX - 0.5;
  for (let row = 0; row < half; row++) {
    const b = coordinate(row);
    for (let column = 0; column < half; column++) {
      const a = coordinate(column);
      const index = row * half + column;
      // Side face f looks along (a, -b, 1): latitude atan(-b / √(1 + a²)).
      const side = rowSample((Math.PI / 2 - fastAtan(-b / Math.sqrt(1 + a * a))) * scaleY - 0.5, height);
      sideY[index] = side >> 8;
      sideFy[index] = side;
      // Zenith face u looks along (a, 1, b): longitude atan2(a, b), and its distance from the
      // pole is atan(√(a² + b²)).
      const top = rowSample(fastAtan(Math.sqrt(a * a + b * b)) * scaleY - 0.5, height);
      topY[index] = top >> 8;
      topFy[index] = top;
      const longitude = columnSample((fastAtan2(a, b) + Math.PI) * scaleX - 0.5, width);
      topX[index] = longitude >> 8;
      topFx[index] = longitude;
    }
  }
  return tables;
}
