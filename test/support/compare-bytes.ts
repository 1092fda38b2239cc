import assert from 'node:assert/strict';
import { psnr } from './view-renderer.ts';

/** PSNR in dB and the largest difference of two 8-bit images of the same length. */
export function compareBytes(actual: Uint8Array, expected: Uint8Array): { psnr: number; maxDiff: number } {
  assert.equal(actual.length, expected.length);
  let maxDiff = 0;
  for (let index = 0; index < actual.length; index++) maxDiff = Math.max(maxDiff, Math.abs(actual[index]! - expected[index]!));
  return { psnr: psnr(Float64Array.from(actual), Float64Array.from(expected)), maxDiff };
}
