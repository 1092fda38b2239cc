import type { Face } from '../../functions/core/panorama/layout.ts';
import type { RawImage } from '../../functions/core/panorama/projection.ts';

/** A rectilinear view as Pannellum's viewer shows it: angles in degrees, yaw positive to the east, pitch positive up. */
export interface View {
  readonly name: string;
  readonly yaw: number;
  readonly pitch: number;
  readonly hfov: number;
}

export type Direction = readonly [number, number, number];

/** Adds `weight` × the colour seen in `direction` into out[at…at+2]. Axes as faceDirection's: x east, y up, z at longitude 0. */
export type DirectionSampler = (x: number, y: number, z: number, weight: number, out: Float64Array, at: number) => void;

const RADIANS = Math.PI / 180;

/**
 * Renders `view` as a size×size image (double precision, 0–255), each pixel the mean of grid×grid
 * sub-pixel rays. Pannellum's pinhole: the ray through the image plane at distance 1, then pitch
 * (about the east axis), then yaw (about the up axis); square output, so vfov = hfov.
 */
export function renderView(view: View, sample: DirectionSampler, size: number, grid = 1): Float64Array {
  const out = new Float64Array(size * size * 3);
  const halfWidth = Math.tan((view.hfov * RADIANS) / 2);
  const [sinPitch, cosPitch] = [Math.sin(view.pitch * RADIANS), Math.cos(view.pitch * RADIANS)];
  const [sinYaw, cosYaw] = [Math.sin(view.yaw * RADIANS), Math.cos(view.yaw * RADIANS)];
  const weight = 1 / (grid * grid);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const at = (row * size + column) * 3;
      for (let sy = 0; sy < grid; sy++) {
        const planeY = -((2 * (row + (sy + 0.5) / grid)) / size - 1) * halfWidth;
        const pitchedY = planeY * cosPitch + sinPitch;
        const pitchedZ = -planeY * sinPitch + cosPitch;
        for (let sx = 0; sx < grid; sx++) {
          const planeX = ((2 * (column + (sx + 0.5) / grid)) / size - 1) * halfWidth;
          sample(planeX * cosYaw + pitchedZ * sinYaw, pitchedY, -planeX * sinYaw + pitchedZ * cosYaw, weight, out, at);
        }
      }
    }
  }
  return out;
}

/** Bilinear from an interleaved RGB image at continuous pixel coordinates; `wrapX` for longitude, otherwise edges clamp. */
function addBilinear(image: RawImage, u: number, v: number, wrapX: boolean, weight: number, out: Float64Array, at: number): void {
  const { data, width, height } = image;
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  // Inline clamps, not closures: this runs a few million times per view.
  const left = wrapX ? ((x0 % width) + width) % width : x0 < 0 ? 0 : x0 >= width ? width - 1 : x0;
  const right = wrapX ? (left + 1 === width ? 0 : left + 1) : x0 + 1 < 0 ? 0 : x0 + 1 >= width ? width - 1 : x0 + 1;
  const top = (y0 < 0 ? 0 : y0 >= height ? height - 1 : y0) * width;
  const bottom = (y0 + 1 < 0 ? 0 : y0 + 1 >= height ? height - 1 : y0 + 1) * width;
  const w00 = weight * (1 - fx) * (1 - fy);
  const w01 = weight * fx * (1 - fy);
  const w10 = weight * (1 - fx) * fy;
  const w11 = weight * fx * fy;
  for (let channel = 0; channel < 3; channel++) {
    out[at + channel]! +=
      data[(top + left) * 3 + channel]! * w00 +
      data[(top + right) * 3 + channel]! * w01 +
      data[(bottom + left) * 3 + channel]! * w10 +
      data[(bottom + right) * 3 + channel]! * w11;
  }
}

/** The original equirectangular image, pixel centres as reference-projection.ts places them. */
export function equirectangularSampler(source: RawImage): DirectionSampler {
  const scaleX = source.width / (2 * Math.PI);
  const scaleY = source.height / Math.PI;
  return (x, y, z, weight, out, at) => {
    const longitude = Math.atan2(x, z);
    const latitude = Math.atan2(y, Math.hypot(x, z));
    addBilinear(source, (longitude + Math.PI) * scaleX - 0.5, (Math.PI / 2 - latitude) * scaleY - 0.5, true, weight, out, at);
  };
}

/**
 * One level's six faces. The face is the direction's largest axis; (a, b) invert faceDirection
 * (functions/core/panorama/projection.ts) on the cube of half-side 1. Each face is sampled on its
 * own with clamped edges, as Pannellum's WebGL textures are.
 */
export function cubeSampler(faces: ReadonlyMap<Face, RawImage>): DirectionSampler {
  return (x, y, z, weight, out, at) => {
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    const az = Math.abs(z);
    // Plain assignments, no tuples: nothing allocated per ray.
    let face: Face;
    let a: number;
    let b: number;
    if (az >= ax && az >= ay) {
      face = z > 0 ? 'f' : 'b';
      a = x / z;
      b = -y / az;
    } else if (ax >= ay) {
      face = x > 0 ? 'r' : 'l';
      a = -z / x;
      b = -y / ax;
    } else {
      face = y > 0 ? 'u' : 'd';
      a = x / ay;
      b = z / y;
    }
    const image = faces.get(face)!;
    addBilinear(image, ((a + 1) / 2) * image.width - 0.5, ((b + 1) / 2) * image.height - 0.5, false, weight, out, at);
  };
}

export function psnr(actual: Float64Array, expected: Float64Array): number {
  let squared = 0;
  for (let index = 0; index < actual.length; index++) squared += (actual[index]! - expected[index]!) ** 2;
  return 10 * Math.log10((255 * 255) / (squared / actual.length));
}
