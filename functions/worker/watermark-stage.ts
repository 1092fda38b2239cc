import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { invalidInput } from '../core/errors.ts';
import { outputFormatOf } from '../core/imagemogr2/image-header.ts';
import { checkOutputSize, MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import type { ImageMark, TextMark, WatermarkStage } from '../core/imagemogr2/plan.ts';
import { fittedMark, markPlacement, scaledMarkSize } from '../core/imagemogr2/watermark-layout.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import { encode, outputQuality } from './encode.ts';
import { renderText } from './fonts.ts';
import type { ImageResult } from './image-result.ts';
import type { PlanSources } from './imagemogr2.ts';

/** A mark as sRGB pixels with straight alpha, four bytes each. */
interface Rgba {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

const raw = (mark: Rgba) => ({ raw: { width: mark.width, height: mark.height, channels: 4 as const } });

async function rgba(image: Sharp): Promise<Rgba> {
  const { data, info } = await image.toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function imageMarkPixels(mark: ImageMark, sources: PlanSources): Promise<Rgba> {
  const bytes = await sources.readObject(mark.image);
  const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS });
  const metadata = await image.metadata().catch(() => undefined);
  if (!metadata?.width) throw invalidInput(`the watermark image ${mark.image} is not an image`);
  if ((metadata.pages ?? 1) > 1) throw invalidInput(`the watermark image ${mark.image} is animated; animated images cannot be watermarks`);
  return rgba(image.autoOrient());
}

/** Where a shadow falls: down and right of the text by about a fifteenth of its size. */
const shadowOffset = (fontSize: number) => Math.max(1, Math.round(fontSize / 15));

/** The text in its fill colour, over its shadow (black, `shadow` % opaque) when it has one. */
async function textMarkPixels(mark: TextMark): Promise<Rgba> {
  const coverage = await renderText(mark.text, mark.font, mark.fontSize);
  const offset = mark.shadow ? shadowOffset(mark.fontSize) : 0;
  const width = coverage.width + offset;
  const height = coverage.height + offset;
  const data = Buffer.alloc(width * height * 4);
  const { red, green, blue, alpha } = mark.fill;
  const at = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < coverage.width && y < coverage.height ? coverage.data[y * coverage.width + x]! : 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ink = (at(x, y) / 255) * (alpha / 255);
      const shade = offset ? (at(x - offset, y - offset) / 255) * (mark.shadow / 100) * (1 - ink) : 0;
      const opacity = ink + shade;
      if (opacity === 0) continue;
      const index = (y * width + x) * 4;
      // Straight alpha: the colour is the text's share of what covers the pixel (the shadow is black).
      data[index] = Math.round((red * ink) / opacity);
      data[index + 1] = Math.round((green * ink) / opacity);
      data[index + 2] = Math.round((blue * ink) / opacity);
      data[index + 3] = Math.round(opacity * 255);
    }
  }
  return { data, width, height };
}

async function resized(mark: Rgba, width: number, height: number): Promise<Rgba> {
  if (width === mark.width && height === mark.height) return mark;
  return rgba(sharp(mark.data, raw(mark)).resize({ width, height, fit: 'fill' }));
}

function dissolved(mark: Rgba, percent: number): Rgba {
  if (percent === 100) return mark;
  const data = Buffer.from(mark.data);
  for (let index = 3; index < data.length; index += 4) data[index] = Math.round((data[index]! * percent) / 100);
  return { ...mark, data };
}

/** One tile of a batch: the mark turned by `degree`, then `spacing` % of its width and height of clear space right and below. */
async function tileOf(mark: Rgba, tile: NonNullable<WatermarkStage['tile']>, image: { width: number; height: number }): Promise<Rgba> {
  let turned = mark;
  if (tile.degree) turned = await rgba(sharp(mark.data, raw(mark)).rotate(tile.degree, { background: { r: 0, g: 0, b: 0, alpha: 0 } }));
  const right = Math.round((turned.width * tile.spacing) / 100);
  const bottom = Math.round((turned.height * tile.spacing) / 100);
  const padded = sharp(turned.data, raw(turned)).extend({ right, bottom, background: { r: 0, g: 0, b: 0, alpha: 0 } });
  const unit = await rgba(padded);
  // sharp tiles only an overlay no larger than the image.
  if (unit.width <= image.width && unit.height <= image.height) return unit;
  const width = Math.min(unit.width, image.width);
  const height = Math.min(unit.height, image.height);
  return rgba(sharp(unit.data, raw(unit)).extract({ left: 0, top: 0, width, height }));
}

/** Every page of an animation gets the same overlays, at the same place in its own frame. */
const onEveryPage = (overlays: OverlayOptions[], pages: number, pageHeight: number): OverlayOptions[] =>
  Array.from({ length: pages }, (_, page) =>
    overlays.map((overlay) => ({ ...overlay, top: (overlay.top ?? 0) + page * pageHeight })),
  ).flat();

/** A batch's tiles over one frame, as one frame-sized overlay (so every frame of an animation shows the same pattern). */
async function tiledOverlay(unit: Rgba, image: { width: number; height: number }): Promise<Rgba> {
  const canvas = sharp({ create: { ...image, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });
  return rgba(canvas.composite([{ input: unit.data, ...raw(unit), tile: true, gravity: 'northwest' }]));
}

/**
 * Runs one watermark stage: the mark (an object of the client's, or text in a shipped font) is
 * scaled (scatype/spcent), fitted (blogo), made `dissolve` % opaque, and placed at its gravity
 * with its margins, or tiled over the whole image. The image is turned upright first, so the
 * mark lands where it is seen; the result keeps the input's format and quality. An animation
 * stays one, with the mark on every frame.
 */
export async function runWatermarkStage(input: Buffer, stage: WatermarkStage, sources: PlanSources): Promise<ImageResult> {
  const metadata = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!metadata.width || !metadata.height || !metadata.format) throw invalidInput('the input is not an image sharp can read');
  const pages = metadata.pages ?? 1;
  const animated = pages > 1 && (metadata.format === 'gif' || metadata.format === 'webp');
  const base = animated
    ? sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated: true })
    : sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).autoOrient();
  // Read without animated: true, the metadata's height is one frame's.
  const frameHeight = metadata.pageHeight ?? metadata.height;
  const turned = !animated && (metadata.orientation ?? 1) >= 5;
  const image = turned ? { width: frameHeight, height: metadata.width } : { width: metadata.width, height: frameHeight };
  const format = outputFormatOf({}, { ...image, format: metadata.format, orientation: 1 });
  checkOutputSize(image, format);

  let mark = stage.mark.kind === 'image' ? await imageMarkPixels(stage.mark, sources) : await textMarkPixels(stage.mark);
  const scaled = scaledMarkSize(stage.scale, image, mark);
  mark = await resized(mark, scaled.width, scaled.height);
  const fitted = fittedMark(stage.mark.kind === 'image' ? stage.mark.blogo : undefined, image, mark);
  if (fitted.how === 'resize') mark = await resized(mark, fitted.size.width, fitted.size.height);
  if (fitted.how === 'crop') mark = await rgba(sharp(mark.data, raw(mark)).extract({ left: 0, top: 0, ...fitted.size }));
  mark = dissolved(mark, stage.dissolve);

  let overlays: OverlayOptions[] = [];
  if (stage.tile) {
    const unit = await tileOf(mark, stage.tile, image);
    const overlay = animated ? await tiledOverlay(unit, image) : unit;
    overlays = [
      animated
        ? { input: overlay.data, ...raw(overlay), left: 0, top: 0 }
        : { input: unit.data, ...raw(unit), tile: true, gravity: 'northwest' },
    ];
  } else {
    const placed = markPlacement(stage, image, mark);
    if (placed) {
      const part = await rgba(sharp(mark.data, raw(mark)).extract(placed.source));
      overlays = [{ input: part.data, ...raw(part), left: placed.left, top: placed.top }];
    }
  }
  if (overlays.length) base.composite(animated ? onEveryPage(overlays, pages, frameHeight) : overlays);
  const quality = outputQuality(undefined, metadata.format === 'jpeg' ? jpegQuality(input) : undefined);
  const animation = animated ? { delay: metadata.delay ?? [], loop: metadata.loop ?? 0 } : undefined;
  const { data, info } = await encode(base.keepIccProfile(), format, quality, false, animation).toBuffer({ resolveWithObject: true });
  const lossy = format === 'jpg' || format === 'jpeg' || format === 'webp' || format === 'avif' || format === 'tiff';
  const height = animated ? (info.pageHeight ?? frameHeight) : info.height;
  return { data, format, width: info.width, height, size: data.length, ...(lossy ? { quality } : {}) };
}
