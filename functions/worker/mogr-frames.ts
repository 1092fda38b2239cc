import sharp, { type Sharp } from 'sharp';
import type { Animation } from './encode.ts';

/** Raw pixels of every frame, stacked top to bottom, as sharp holds an animation. */
export interface Frames {
  readonly data: Buffer;
  readonly width: number;
  readonly pageHeight: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly count: number;
}

export async function framesOf(image: Sharp): Promise<Frames> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const pageHeight = info.pageHeight ?? info.height;
  return { data, width: info.width, pageHeight, channels: info.channels, count: info.height / pageHeight };
}

export const frameAt = (frames: Frames, index: number): Buffer => {
  const bytes = frames.width * frames.pageHeight * frames.channels;
  return frames.data.subarray(index * bytes, (index + 1) * bytes);
};

/** Raw pixels of an animation as sharp's input: without `animated`, sharp would resize the stack as one image. */
export const rawAnimation = (
  data: Buffer,
  info: { width: number; height: number; channels: Frames['channels']; pageHeight: number },
): Sharp => sharp(data, { raw: info, animated: true });

/** An animation again, from frames of one size. */
export const stacked = (frames: Frames): Sharp =>
  rawAnimation(frames.data, {
    width: frames.width,
    height: frames.pageHeight * frames.count,
    channels: frames.channels,
    pageHeight: frames.pageHeight,
  });

/**
 * cgif: `kept` frames spread evenly over the animation, each shown for as long as the frames it
 * stands for were, so the animation lasts as long as before.
 */
export async function keepFrames(image: Sharp, animation: Animation, kept: number): Promise<{ image: Sharp; animation: Animation }> {
  const frames = await framesOf(image);
  const starts = Array.from({ length: kept }, (_, index) => Math.floor((index * frames.count) / kept));
  const delay = starts.map((start, index) => {
    const end = starts[index + 1] ?? frames.count;
    let total = 0;
    for (let frame = start; frame < end; frame++) total += animation.delay[frame] ?? animation.delay.at(-1) ?? 0;
    return Math.min(total, 65_535);
  });
  const data = Buffer.concat(starts.map((start) => frameAt(frames, start)));
  return { image: stacked({ ...frames, data, count: kept }), animation: { delay, loop: animation.loop } };
}
