import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../infra/group-entries.ts';

const INPUT_DIR = `${PROJECT_ROOT}.bench/panorama`;

/**
 * A procedural equirectangular JPEG (q90): broad colour waves, enlarged with Lanczos, under fine
 * grain, so it decodes and compresses like a photograph (its size is printed with the results). Made once and kept in .bench/panorama.
 */
export async function panoramaInput(width: number): Promise<string> {
  const height = width / 2;
  const path = `${INPUT_DIR}/procedural-${width}x${height}.jpg`;
  if (existsSync(path)) return path;
  mkdirSync(INPUT_DIR, { recursive: true });
  const coarseWidth = width / 8;
  const coarseHeight = height / 8;
  const coarse = Buffer.alloc(coarseWidth * coarseHeight * 3);
  for (let y = 0; y < coarseHeight; y++) {
    for (let x = 0; x < coarseWidth; x++) {
      const offset = (y * coarseWidth + x) * 3;
      coarse[offset] = 128 + 100 * Math.sin(x / 37) * Math.cos(y / 23);
      coarse[offset + 1] = 128 + 100 * Math.sin((x + y) / 51);
      coarse[offset + 2] = (x * y) & 255;
    }
  }
  const raw = { width, height, channels: 3 as const };
  const base = await sharp(coarse, { raw: { width: coarseWidth, height: coarseHeight, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  // Grain is made once at 1024² and tiled: generating Gaussian noise for 134 MP costs more than the bench.
  const grainTile = { width: 1024, height: 1024, channels: 3 as const };
  const grain = await sharp({ create: { ...grainTile, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 7 } } })
    .blur(0.8)
    .raw()
    .toBuffer();
  const jpeg = await sharp(base, { raw, limitInputPixels: false })
    .composite([{ input: grain, raw: grainTile, tile: true, blend: 'soft-light' }])
    .jpeg({ quality: 90 })
    .toBuffer();
  writeFileSync(path, jpeg);
  return path;
}
