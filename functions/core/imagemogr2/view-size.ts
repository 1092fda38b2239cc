import type { Size, Window } from './geometry.ts';
import type { ViewStage } from './plan.ts';

/** What a mode does to an image of some size: a resize, then (modes 1 and 5) a centred crop. */
export interface ViewGeometry {
  readonly resized: Size;
  readonly crop?: Window;
}

// ImageMagick's rounding of a scaled side: half up, never below one pixel.
const round = (value: number) => Math.max(1, Math.floor(value + 0.5));

/** A box's sides, missing ones unbounded; `long`/`short` modes turn it to lie along the source's long side. */
function box(stage: ViewStage, source: Size, edges: boolean, square: boolean): { width: number; height: number } {
  const first = stage.width ?? (square ? stage.height : undefined) ?? Infinity;
  const second = stage.height ?? (square ? stage.width : undefined) ?? Infinity;
  return edges && source.height > source.width ? { width: second, height: first } : { width: first, height: second };
}

/**
 * Scales to fit inside (`within`) or to cover the box, never enlarging: Qiniu's "新图的宽/高/长边/短边，
 * 不会比原图大". ImageMagick's `-thumbnail <W>x<H>>` and `<W>x<H>^>`, sides computed as it computes them.
 */
function scaleInto(source: Size, target: { width: number; height: number }, within: boolean): Size {
  const ratios = [target.width / source.width, target.height / source.height].filter(Number.isFinite);
  const scale = Math.min(1, within ? Math.min(...ratios) : Math.max(...ratios));
  return { width: round(scale * source.width), height: round(scale * source.height) };
}

/** The centred crop of `-gravity center -crop <W>x<H>+0+0`: ImageMagick's integer halving, clipped to the image. */
function centreCrop(image: Size, target: { width: number; height: number }): Window | undefined {
  const width = Math.min(image.width, target.width);
  const height = Math.min(image.height, target.height);
  if (width === image.width && height === image.height) return undefined;
  return { left: Math.trunc((image.width - width) / 2), top: Math.trunc((image.height - height) / 2), width, height };
}

/**
 * imageView2's six modes on an image of this size (Qiniu's definitions, docs/ci-processors.md):
 * 0 long/short edge at most, 1 width/height at least then centre-cropped to them, 2 width/height
 * at most, 3 width/height at least, 4 long/short edge at least, 5 as 4 then centre-cropped. With
 * no mode nothing is resized.
 */
export function viewGeometry(stage: ViewStage, source: Size): ViewGeometry {
  switch (stage.mode) {
    case undefined:
      return { resized: source };
    case 0:
      return { resized: scaleInto(source, box(stage, source, true, false), true) };
    case 2:
      return { resized: scaleInto(source, box(stage, source, false, false), true) };
    case 3:
    case 4:
      return { resized: scaleInto(source, box(stage, source, stage.mode === 4, true), false) };
    case 1:
    case 5: {
      const target = box(stage, source, stage.mode === 5, true);
      const resized = scaleInto(source, target, false);
      const crop = centreCrop(resized, target);
      return crop ? { resized, crop } : { resized };
    }
  }
}

/** The output's size. */
export function viewSize(stage: ViewStage, source: Size): Size {
  const { resized, crop } = viewGeometry(stage, source);
  return crop ? { width: crop.width, height: crop.height } : resized;
}
