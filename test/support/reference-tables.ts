import { columnSample, type SampleTables } from '../../functions/core/panorama/cube.ts';
import { atanUnit, fastAtan, fastAtan2 } from '../../functions/core/panorama/fast-atan.ts';

/** Positions are fixed point: p is stored as round(p · 256). */
const WEIGHT_ONE = 256;

/** A row position: the row (−1 … height − 1) times 256 plus its 8-bit fraction. */
const rowSample = (v: number, height: number) => Math.round(Math.min(height - 0.5, Math.max(-0.5, v)) * WEIGHT_ONE);

/** The quadrant entries in plain JavaScript, as cube.ts describes them: what the kernel's must equal bit for bit. */
export function referenceQuadrant(tables: SampleTables): void {
  const { half, width, height, coordinates, inverseNorms, sideY, sideFy, topX, topFx, topY, topFy } = tables;
  const scaleX = width / (2 * Math.PI);
  const scaleY = height / Math.PI;
  for (let row = 0; row < half; row++) {
    const b = coordinates[row]!;
    for (let column = 0, index = row * half; column < half; column++, index++) {
      const a = coordinates[column]!;
      const side = rowSample((Math.PI / 2 - atanUnit(-b * inverseNorms[column]!)) * scaleY - 0.5, height);
      sideY[index] = side >> 8;
      sideFy[index] = side;
      const top = rowSample(fastAtan(Math.sqrt(a * a + b * b)) * scaleY - 0.5, height);
      topY[index] = top >> 8;
      topFy[index] = top;
      const longitude = columnSample((fastAtan2(a, b) + Math.PI) * scaleX - 0.5, width);
      topX[index] = longitude >> 8;
      topFx[index] = longitude;
    }
  }
}

export const FRESH_ARRAYS = {
  uint16: (length: number) => new Uint16Array(length),
  uint8: (length: number) => new Uint8Array(length),
  float64: (length: number) => new Float64Array(length),
};
