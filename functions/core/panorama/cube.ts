import type { Face } from './layout.ts';
import type { RawImage } from './projection.ts';

/**
 * Where each face pixel samples the equirectangular image, computed once per cube size and
 * shared: the four side faces differ only by a quarter turn of longitude (a shift of W/4 in u),
 * and the nadir face is the zenith face mirrored (rows reversed, v reflected). So one atan per
 * pixel of one face serves four faces, and one atan2 + atan per pixel of another serves two.
 */
export interface SampleTables {
  readonly size: number;
  /** Side faces: u per column (longitude only depends on the column), v per pixel. */
  readonly sideU: Float64Array;
  readonly sideV: Float32Array;
  /** Zenith face: u and v per pixel. */
  readonly topU: Float32Array;
  readonly topV: Float32Array;
}

export function sampleTables(size: number, width: number, height: number): SampleTables {
  const scaleX = width / (2 * Math.PI);
  const scaleY = height / Math.PI;
  const sideU = new Float64Array(size);
  const sideV = new Float32Array(size * size);
  const topU = new Float32Array(size * size);
  const topV = new Float32Array(size * size);
  const coordinate = (index: number) => (2 * (index + 0.5)) / size - 1;
  for (let column = 0; column < size; column++) sideU[column] = (Math.atan(coordinate(column)) + Math.PI) * scaleX - 0.5;
  for (let row = 0; row < size; row++) {
    const b = coordinate(row);
    for (let column = 0; column < size; column++) {
      const a = coordinate(column);
      const index = row * size + column;
      // Side face f: direction (a, -b, 1).
      sideV[index] = (Math.PI / 2 - Math.atan(-b / Math.sqrt(1 + a * a))) * scaleY - 0.5;
      // Zenith face u: direction (a, 1, b).
      topU[index] = (Math.atan2(a, b) + Math.PI) * scaleX - 0.5;
      topV[index] = (Math.PI / 2 - Math.atan(1 / Math.sqrt(a * a + b * b))) * scaleY - 0.5;
    }
  }
  return { size, sideU, sideV, topU, topV };
}

/** Quarter turns of longitude from face f, for the side faces. */
const SIDE_TURNS: Partial<Record<Face, number>> = { f: 0, r: 1, b: 2, l: -1 };

/**
 * Renders one face with the shared tables: bilinear, longitude wrapping at ±180°, latitude
 * clamped at the poles. Same result as sampling each pixel's own direction, far fewer trig calls.
 */
export function renderFace(source: RawImage, tables: SampleTables, face: Face, target = new Uint8Array(tables.size * tables.size * source.channels)): Uint8Array {
  const { size } = tables;
  const turns = SIDE_TURNS[face];
  const mirrored = face === 'd';
  const u = new Float32Array(size);
  const v = new Float32Array(size);
  for (let row = 0; row < size; row++) {
    // One row of sample positions, then one tight loop over it.
    if (turns !== undefined) {
      const shift = (turns * source.width) / 4;
      for (let column = 0; column < size; column++) u[column] = tables.sideU[column]! + shift;
      v.set(tables.sideV.subarray(row * size, (row + 1) * size));
    } else {
      const tableRow = (mirrored ? size - 1 - row : row) * size;
      u.set(tables.topU.subarray(tableRow, tableRow + size));
      v.set(tables.topV.subarray(tableRow, tableRow + size));
      if (mirrored) for (let column = 0; column < size; column++) v[column] = source.height - 1 - v[column]!;
    }
    sampleRow(source, u, v, target, row * size * source.channels);
  }
  return target;
}

/** Bilinear samples at (u[i], v[i]) into target from `offset`; u wraps, v clamps. */
function sampleRow(source: RawImage, u: Float32Array, v: Float32Array, target: Uint8Array, offset: number): void {
  const { data, width, height, channels } = source;
  let out = offset;
  for (let index = 0; index < u.length; index++) {
    const uu = u[index]!;
    const vv = v[index]!;
    const xf = Math.floor(uu);
    const yf = Math.floor(vv);
    const fx = uu - xf;
    const fy = vv - yf;
    let x0 = xf % width;
    if (x0 < 0) x0 += width;
    const x1 = x0 + 1 === width ? 0 : x0 + 1;
    const y0 = yf < 0 ? 0 : yf >= height ? height - 1 : yf;
    const y1 = yf + 1 >= height ? height - 1 : yf + 1 < 0 ? 0 : yf + 1;
    const w11 = fx * fy;
    const w10 = fy - w11;
    const w01 = fx - w11;
    const w00 = 1 - fx - fy + w11;
    let p00 = (y0 * width + x0) * channels;
    let p01 = (y0 * width + x1) * channels;
    let p10 = (y1 * width + x0) * channels;
    let p11 = (y1 * width + x1) * channels;
    for (let channel = 0; channel < channels; channel++) {
      target[out++] = data[p00++]! * w00 + data[p01++]! * w01 + data[p10++]! * w10 + data[p11++]! * w11 + 0.5;
    }
  }
}
