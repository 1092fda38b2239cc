import type { OverlayOptions } from 'sharp';
import type { Size } from '../core/imagemogr2/geometry.ts';
import type { Colour } from '../core/imagemogr2/plan.ts';

/** The outline of an iradius (a circle filling its square) or an rradius (corners tangent to the edges), as an SVG path. */
function outline(op: 'iradius' | 'rradius', size: Size, radius: number): string {
  const { width: w, height: h } = size;
  const r = radius;
  if (op === 'iradius') return `M0 ${r}A${r} ${r} 0 1 0 ${2 * r} ${r}A${r} ${r} 0 1 0 0 ${r}Z`;
  const arc = (x: number, y: number) => `A${r} ${r} 0 0 1 ${x} ${y}`;
  return `M${r} 0H${w - r}${arc(w, r)}V${h - r}${arc(w - r, h)}H${r}${arc(0, h - r)}V${r}${arc(r, 0)}Z`;
}

const hex = (colour: Colour) => `#${[colour.red, colour.green, colour.blue].map((value) => value.toString(16).padStart(2, '0')).join('')}`;

/**
 * What an iradius or rradius composites onto an image of this size: where the output has alpha,
 * the shape as a mask (outside transparent); where it has none (JPEG), the outside painted in
 * `fill`, which is what flattening the transparent result would give. `tile` repeats it down
 * every frame of an animation.
 */
export function maskOverlay(
  op: 'iradius' | 'rradius',
  size: Size,
  radius: number,
  fill: Colour | undefined,
  tile: boolean,
): OverlayOptions {
  const path = outline(op, size, radius);
  const svg = fill
    ? `<path fill-rule="evenodd" fill="${hex(fill)}" d="M0 0H${size.width}V${size.height}H0Z${path}"/>`
    : `<path fill="#000" d="${path}"/>`;
  const input = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">${svg}</svg>`);
  return { input, ...(fill ? {} : { blend: 'dest-in' as const }), ...(tile ? { tile: true, gravity: 'northwest' } : {}) };
}
