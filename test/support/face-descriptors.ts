import { DESCRIPTOR_LENGTH } from '../../functions/core/faces/space-index.ts';

/**
 * Reproducible stand-ins for face-api descriptors: components drawn from N(0, 0.05²), so two
 * unrelated faces are about 0.8 apart, as different people are in ../shared/reference/faces.md §A.3.
 */
export function descriptorSource(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

  return {
    /** Fills `into` (any multiple of 128 numbers) with fresh descriptors. */
    fill(into: Float32Array): Float32Array {
      for (let k = 0; k < into.length; k++) into[k] = gaussian() * 0.05;
      return into;
    },
    next(): Float32Array {
      return this.fill(new Float32Array(DESCRIPTOR_LENGTH));
    },
    /** Another photo of the same face: `descriptor` moved by about `distance`. */
    near(descriptor: Float32Array, distance: number): Float32Array {
      const spread = distance / Math.sqrt(DESCRIPTOR_LENGTH);
      return descriptor.map((value) => value + gaussian() * spread);
    },
  };
}

export const distanceBetween = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((sum, value, k) => sum + (value - b[k]!) ** 2, 0));
