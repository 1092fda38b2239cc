import type { Size, Window } from './geometry.ts';
import type { WatermarkStage } from './plan.ts';

const round = (value: number) => Math.max(1, Math.floor(value + 0.5));

/** The mark's size after scatype/spcent: ‰ of the image's width, height or area, the mark's aspect kept. */
export function scaledMarkSize(scale: WatermarkStage['scale'], image: Size, mark: Size): Size {
  if (!scale) return mark;
  const { type, permille } = scale;
  const factor =
    type === 1
      ? (image.width * permille) / 1000 / mark.width
      : type === 2
        ? (image.height * permille) / 1000 / mark.height
        : Math.sqrt((image.width * image.height * permille) / 1000 / (mark.width * mark.height));
  return { width: round(mark.width * factor), height: round(mark.height * factor) };
}

/**
 * What blogo makes of a mark larger than the image: 1 scales it to fit inside (`resize`), 2 crops
 * it from its top-left corner to the image's size (`crop`); without blogo it stays as it is and
 * the image's edges clip it.
 */
export function fittedMark(blogo: 1 | 2 | undefined, image: Size, mark: Size): { size: Size; how: 'keep' | 'resize' | 'crop' } {
  if ((mark.width <= image.width && mark.height <= image.height) || !blogo) return { size: mark, how: 'keep' };
  if (blogo === 2) return { size: { width: Math.min(mark.width, image.width), height: Math.min(mark.height, image.height) }, how: 'crop' };
  const factor = Math.min(image.width / mark.width, image.height / mark.height);
  return {
    size: { width: Math.min(image.width, round(mark.width * factor)), height: Math.min(image.height, round(mark.height * factor)) },
    how: 'resize',
  };
}

/**
 * Where the mark goes: the gravity's corner, edge or centre, moved inwards by dx/dy (Tencent's
 * margins; the parser has already dropped those a gravity ignores). Returns the part of the mark
 * that falls on the image (`source`, in the mark's pixels) and where (`left`/`top` on the image),
 * or undefined when none does.
 */
export function markPlacement(
  stage: Pick<WatermarkStage, 'gravity' | 'dx' | 'dy'>,
  image: Size,
  mark: Size,
): { source: Window; left: number; top: number } | undefined {
  const { gravity, dx, dy } = stage;
  const left = gravity.endsWith('west')
    ? dx
    : gravity.endsWith('east')
      ? image.width - mark.width - dx
      : Math.trunc((image.width - mark.width) / 2);
  const top = gravity.startsWith('north')
    ? dy
    : gravity.startsWith('south')
      ? image.height - mark.height - dy
      : Math.trunc((image.height - mark.height) / 2);
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(image.width, left + mark.width);
  const y1 = Math.min(image.height, top + mark.height);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { source: { left: x0 - left, top: y0 - top, width: x1 - x0, height: y1 - y0 }, left: x0, top: y0 };
}
