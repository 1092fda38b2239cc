import { invalidInput } from '../errors.ts';
import type { CropSpec, Gravity, Operation, ThumbnailSpec } from './plan.ts';

/**
 * Output sizes as ImageMagick computes them for the same geometry (imageMogr2 is named after
 * mogrify, and Qiniu's and Tencent's stated sizes all match ImageMagick: reference §1.2, §1.7).
 */
export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Window extends Size {
  readonly left: number;
  readonly top: number;
}

const round = (value: number) => Math.max(1, Math.floor(value + 0.5));

export function thumbnailSize(spec: ThumbnailSpec, width: number, height: number): Size {
  switch (spec.kind) {
    case 'percent':
      return { width: round((width * spec.percent) / 100), height: round((height * spec.percent) / 100) };
    case 'percentWidth':
      return { width: round((width * spec.percent) / 100), height };
    case 'percentHeight':
      return { width, height: round((height * spec.percent) / 100) };
    case 'width':
      return { width: spec.width, height: round((height * spec.width) / width) };
    case 'height':
      return { width: round((width * spec.height) / height), height: spec.height };
    case 'exact':
      return { width: spec.width, height: spec.height };
    case 'cover': {
      const scale = Math.max(spec.width / width, spec.height / height);
      return { width: round(width * scale), height: round(height * scale) };
    }
    case 'fit': {
      const scale = Math.min(spec.width / width, spec.height / height);
      // ">" only shrinks and "<" only enlarges; otherwise the image is left as it is.
      if ((spec.only === 'shrink' && scale >= 1) || (spec.only === 'enlarge' && scale <= 1)) return { width, height };
      return { width: round(width * scale), height: round(height * scale) };
    }
    case 'area': {
      const scale = Math.sqrt(spec.area / (width * height));
      let out = { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
      while (out.width * out.height > spec.area && out.width > 1 && out.height > 1) {
        out = width >= height ? { width: out.width - 1, height: out.height } : { width: out.width, height: out.height - 1 };
      }
      return out;
    }
  }
}

/** Where a gravity anchors a box, before offsets: ImageMagick's integer halving for the centre. */
function anchor(gravity: Gravity, width: number, height: number, box: Size): { x: number; y: number } {
  const column = gravity.endsWith('west') ? 'west' : gravity.endsWith('east') ? 'east' : 'middle';
  const row = gravity.startsWith('north') ? 'north' : gravity.startsWith('south') ? 'south' : 'middle';
  return {
    x: column === 'west' ? 0 : column === 'east' ? width - box.width : Math.trunc((width - box.width) / 2),
    y: row === 'north' ? 0 : row === 'south' ? height - box.height : Math.trunc((height - box.height) / 2),
  };
}

/** Intersects a window with the image, as `-crop … +repage` does; an empty result is an error. */
function clip(left: number, top: number, box: Size, width: number, height: number, what: string): Window {
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(width, left + box.width);
  const y1 = Math.min(height, top + box.height);
  if (x1 <= x0 || y1 <= y0) throw invalidInput(`${what} falls outside the ${width}x${height} image`);
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The window of `crop`: the box placed at the gravity anchor, moved by the offsets (east and
 * south gravities move inwards, as ImageMagick's do), then clipped. Tencent's 3×3 rule: the
 * centre ignores both offsets, north and south ignore dx, west and east ignore dy.
 */
export function cropWindow(spec: CropSpec, gravity: Gravity, width: number, height: number): Window {
  const box = { width: spec.width ?? width, height: spec.height ?? height };
  const base = anchor(gravity, width, height, box);
  const horizontal = gravity === 'center' || gravity === 'north' || gravity === 'south' ? 0 : spec.dx;
  const vertical = gravity === 'center' || gravity === 'west' || gravity === 'east' ? 0 : spec.dy;
  const left = base.x + (gravity.endsWith('east') ? -horizontal : horizontal);
  const top = base.y + (gravity.startsWith('south') ? -vertical : vertical);
  return clip(left, top, box, width, height, `crop ${box.width}x${box.height}`);
}

/** The window of `cut/<w>x<h>x<dx>x<dy>`: offsets from the top-left corner, clipped. */
export function cutWindow(cut: { width: number; height: number; dx: number; dy: number }, width: number, height: number): Window {
  return clip(cut.dx, cut.dy, cut, width, height, `cut ${cut.width}x${cut.height} at ${cut.dx},${cut.dy}`);
}

/**
 * The canvas of a clockwise rotation, as libvips sizes it for sharp's rotate (vips_rotate →
 * vips_affine): the bounding box of the four rotated corners, each side rounded half up. The
 * radians are computed as libvips's VIPS_RAD does, so both see the same cosine and sine.
 */
export function rotatedSize(size: Size, degrees: number): Size {
  if (degrees % 180 === 0) return size;
  if (degrees % 90 === 0) return { width: size.height, height: size.width };
  const radians = (degrees / 360) * 2 * Math.PI;
  const cos = Math.abs(Math.cos(radians));
  const sin = Math.abs(Math.sin(radians));
  return { width: round(size.width * cos + size.height * sin), height: round(size.width * sin + size.height * cos) };
}

/**
 * The region an iradius keeps (the circle's bounding square, centred as a centre crop is) or an
 * rradius rounds (the whole image). Tencent: "0 < radius < half the shorter side", integers.
 */
export function maskWindow(mask: Extract<Operation, { op: 'iradius' | 'rradius' }>, input: Size): Window {
  const largest = Math.ceil(Math.min(input.width, input.height) / 2) - 1;
  if (largest < 1) throw invalidInput(`${mask.op} needs an image at least 3 px on its shorter side, got ${input.width}x${input.height}`);
  if (mask.radius > largest) {
    throw invalidInput(
      `${mask.op} must be from 1 to ${largest} on a ${input.width}x${input.height} image (less than half its shorter side), got ${mask.radius}`,
    );
  }
  if (mask.op === 'rradius') return { left: 0, top: 0, ...input };
  const side = 2 * mask.radius;
  return { left: Math.trunc((input.width - side) / 2), top: Math.trunc((input.height - side) / 2), width: side, height: side };
}

/**
 * pad/1: where a box thumbnail's image sits in its W×H box, centred as ImageMagick's
 * `-gravity center -extent` places it. An image a `<` box leaves larger than the box cannot be padded.
 */
export function paddedThumbnail(spec: Extract<ThumbnailSpec, { kind: 'fit' }>, input: Size): Window {
  const inner = thumbnailSize(spec, input.width, input.height);
  if (inner.width > spec.width || inner.height > spec.height) {
    throw invalidInput(
      `pad/1 needs the image inside its box, but thumbnail/${spec.width}x${spec.height}< leaves the ${input.width}x${input.height} image as it is`,
    );
  }
  return { left: Math.trunc((spec.width - inner.width) / 2), top: Math.trunc((spec.height - inner.height) / 2), ...inner };
}

/** The size a scrop scales the image to before cutting its box out: the smallest that covers the box. */
export function scropScale(box: Size, input: Size): Size {
  const scale = Math.max(box.width / input.width, box.height / input.height);
  return { width: Math.max(box.width, round(input.width * scale)), height: Math.max(box.height, round(input.height * scale)) };
}
