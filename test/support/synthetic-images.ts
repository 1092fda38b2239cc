import sharp from 'sharp';

/** A JPEG of the given size: a smooth gradient, so resizing has something to do. */
export async function gradientJpeg(width: number, height: number, quality = 80): Promise<Buffer> {
  return sharp(coordinateRaw(width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** Raw RGB whose pixel (x, y) holds x and y: R = x mod 256, G = y mod 256, B = (x div 256) * 16 + y div 256. */
export function coordinateRaw(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      data[offset] = x & 255;
      data[offset + 1] = y & 255;
      data[offset + 2] = ((x >> 8) << 4) | (y >> 8);
    }
  }
  return data;
}

/** A lossless PNG whose pixels encode their own coordinates, to check where a crop was taken. */
export async function coordinatePng(width: number, height: number): Promise<Buffer> {
  return sharp(coordinateRaw(width, height), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The coordinates the top-left pixel of a coordinate image came from. */
export async function originOf(png: Buffer): Promise<{ x: number; y: number }> {
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { x: ((data[2]! >> 4) << 8) | data[0]!, y: ((data[2]! & 15) << 8) | data[1]! };
}

/**
 * An animation (GIF or WebP) of `frames` frames, each shown for `delay` ms, looping forever. Each
 * frame is one flat colour far from its neighbours' (a GIF encoder merges frames it cannot tell
 * apart); its red, (97 × index) mod 256, says which frame it is.
 */
export async function animation(format: 'gif' | 'webp', width: number, height: number, frames: number, delay = 100): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * frames * 3);
  for (let frame = 0; frame < frames; frame++) {
    const colour = Buffer.from([(frame * 97) % 256, (frame * 53) % 256, (frame * 29) % 256]);
    pixels.fill(colour, frame * width * height * 3, (frame + 1) * width * height * 3);
  }
  const image = sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } });
  const timing = { delay: Array.from({ length: frames }, () => delay), loop: 0 };
  return (format === 'gif' ? image.gif(timing) : image.webp({ ...timing, lossless: true })).toBuffer();
}
