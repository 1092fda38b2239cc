import type { Sharp } from 'sharp';
import type { OutputFormat, QualitySetting } from '../core/imagemogr2/plan.ts';

/** Used where the input's own quality cannot be read (PNG, WebP, …). */
const UNKNOWN_INPUT_QUALITY = 90;

/** The quality a stage writes, from its setting and the input's own (Tencent's quality/rquality/lquality). */
export function outputQuality(setting: QualitySetting | undefined, input: number | undefined): number {
  const known = input ?? UNKNOWN_INPUT_QUALITY;
  if (!setting) return known;
  switch (setting.mode) {
    case 'absolute':
      return Math.min(known, setting.value);
    case 'forced':
      return setting.value;
    case 'relative':
      return Math.max(1, Math.round((known * setting.value) / 100));
    case 'floor':
      return Math.max(known, setting.value);
  }
}

/** An animation's frame delays (ms) and loop count, for an encoder that gets its frames as raw pixels. */
export interface Animation {
  readonly delay: readonly number[];
  readonly loop: number;
}

/**
 * AVIF at libaom's speed 8 with 4:2:0 chroma (what ImageMagick's libheif writes): sharp's default
 * (effort 4, 4:4:4) takes ~25 s for 12 MP on one thread, a request's whole budget; this takes ~1.5 s.
 */
export const AVIF_SPEED = { effort: 1, chromaSubsampling: '4:2:0' } as const;

/** The encoder for an output format; `interlace` makes a progressive JPEG. */
export function encode(image: Sharp, format: OutputFormat, quality: number, interlace: boolean, animation?: Animation): Sharp {
  const timing = animation ? { delay: [...animation.delay], loop: animation.loop } : {};
  switch (format) {
    case 'jpg':
    case 'jpeg':
      return image.jpeg({ quality, progressive: interlace, mozjpeg: false });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality, ...timing });
    case 'avif':
      return image.avif({ quality, ...AVIF_SPEED });
    case 'gif':
      return image.gif(timing);
    case 'tiff':
      return image.tiff({ quality });
  }
}
