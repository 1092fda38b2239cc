import sharp, { type Sharp } from 'sharp';

/** One encode at the stage's quality, then a binary search over 1…quality−1: ⌈log2 99⌉ = 7 more at most. */
export const MAX_SIZE_LIMIT_ENCODES = 8;

export interface LimitedJpeg {
  readonly data: Buffer;
  readonly info: { readonly width: number; readonly height: number };
  readonly quality: number;
}

/**
 * The best JPEG quality, up to `quality`, whose encoding fits in `bytes`: the pixels are made once
 * and only the encoder runs again. When even quality 1 does not fit, quality 1 is the answer
 * (Tencent: the limit "is not absolute"). Metadata is not written (Tencent advises strip with it).
 */
export async function jpegWithin(image: Sharp, bytes: number, quality: number, interlace: boolean, density?: number): Promise<LimitedJpeg> {
  const { data: pixels, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const attempt = async (q: number): Promise<LimitedJpeg> => {
    const raw = sharp(pixels, { raw: { width: info.width, height: info.height, channels: info.channels } });
    const data = await (density ? raw.withDensity(density) : raw).jpeg({ quality: q, progressive: interlace, mozjpeg: false }).toBuffer();
    return { data, info, quality: q };
  };
  const first = await attempt(quality);
  if (first.data.length <= bytes) return first;
  let [low, high] = [1, quality - 1];
  let best: LimitedJpeg | undefined;
  let smallest = first;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = await attempt(middle);
    if (candidate.data.length <= bytes) {
      best = candidate;
      low = middle + 1;
    } else {
      smallest = candidate;
      high = middle - 1;
    }
  }
  return best ?? smallest;
}
