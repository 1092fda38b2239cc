import { columnSample, FRACTION_ONE, fractionOf, wholeOf, type SampleTables } from '../../functions/core/panorama/cube.ts';
import { atanUnit, fastAtan, fastAtan2 } from '../../functions/core/panorama/fast-atan.ts';

/** A row position: the row (−1 … height − 1) times 1024 plus its 10-bit fraction. */
const rowSample = (v: number, height: number) => Math.round(Math.min(height - 0.5, Math.max(-0.5, v)) * FRACTION_ONE);

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
      sideY[index] = wholeOf(side);
      sideFy[index] = fractionOf(side);
      const top = rowSample(fastAtan(Math.sqrt(a * a + b * b)) * scaleY - 0.5, height);
      topY[index] = wholeOf(top);
      topFy[index] = fractionOf(top);
      const longitude = columnSample((fastAtan2(a, b) + Math.PI) * scaleX - 0.5, width);
      topX[index] = wholeOf(longitude);
      topFx[index] = fractionOf(longitude);
    }
  }
}

export const FRESH_ARRAYS = {
  uint16: (length: number) => new Uint16Array(length),
  float64: (length: number) => new Float64Array(length),
};
