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
