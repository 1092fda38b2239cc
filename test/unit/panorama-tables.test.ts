import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleTables, type SampleTables, type TableArrays } from '../../functions/core/panorama/cube.ts';
import { kernelInstance } from '../support/kernel-instance.ts';
import { FRESH_ARRAYS, referenceQuadrant } from '../support/reference-tables.ts';

interface TablesExport {
  quadrantTables(...args: number[]): void;
}

/** The tables with their quadrant computed by the kernel, in a memory of its own. */
function kernelTables(size: number, width: number, height: number): SampleTables {
  const half = Math.ceil(size / 2);
  const { memory, kernel } = kernelInstance<TablesExport>(12 * half * half + 16 * half + 1024);
  let next = 8;
  const take = (bytes: number, align: number) => {
    const offset = Math.ceil(next / align) * align;
    next = offset + bytes;
    return offset;
  };
  const arrays: TableArrays = {
    uint16: (length) => new Uint16Array(memory.buffer, take(length * 2, 2), length),
    float64: (length) => new Float64Array(memory.buffer, take(length * 8, 8), length),
  };
  return sampleTables(size, width, height, arrays, (tables) =>
    kernel.quadrantTables(
      tables.half,
      width,
      height,
      ...[tables.coordinates, tables.inverseNorms, tables.sideY, tables.sideFy, tables.topX, tables.topFx, tables.topY, tables.topFy].map(
        (array) => array.byteOffset,
      ),
    ),
  );
}

describe('the quadrant tables on the kernel', () => {
  it('are bit for bit those of the plain JavaScript formulas, at odd and even sizes up to 16K', () => {
    for (const [size, width] of [
      [33, 512],
      [48, 512],
      [1296, 4096],
      [1299, 4100],
      [2600, 8192],
      [5208, 16384],
    ] as const) {
      const fast = kernelTables(size, width, width / 2);
      const plain = sampleTables(size, width, width / 2, FRESH_ARRAYS, referenceQuadrant);
      for (const name of ['sideY', 'sideFy', 'topX', 'topFx', 'topY', 'topFy'] as const) {
        const [a, b] = [fast[name], plain[name]];
        let first = -1;
        for (let index = 0; index < a.length && first < 0; index++) if (a[index] !== b[index]) first = index;
        assert.equal(first, -1, `${name} at ${size} over ${width}: entry ${first} is ${a[first]}, not ${b[first]}`);
        assert.equal(a.length, Math.ceil(size / 2) ** 2);
      }
    }
  });
});
