import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../infra/group-entries.ts';

const INPUT_DIR = `${PROJECT_ROOT}.bench/panorama`;
const GRID_SPACING = 64;

/** Black pixels: where resampling shows itself (ringing, blur, aliasing), unlike a photograph's soft detail. */
function isInk(x: number, y: number, width: number, height: number): boolean {
  if (x % GRID_SPACING === 0 || y % GRID_SPACING === 0) return true;
  // Thick lines: an 8 px meridian a quarter of the way round, 6 px parallels at ±30° latitude.
  if (x >= width / 4 && x < width / 4 + 8) return true;
  if (Math.abs(y - height / 3) < 3 || Math.abs(y - (2 * height) / 3) < 3) return true;
  // Checker blocks: 4 px cells on the equator at longitude 0 (face f's centre), 16 px cells at +90° (face r's),
  // 8 px cells by the north pole (face u), 2 px cells by the south pole (face d).
  const block = (left: number, top: number, side: number, cell: number) =>
    x >= left && x < left + side && y >= top && y < top + side && (Math.floor((x - left) / cell) + Math.floor((y - top) / cell)) % 2 === 0;
  return (
    block(width / 2 - 96, height / 2 - 96, 192, 4) ||
    block((3 * width) / 4 - 128, height / 2 - 128, 256, 16) ||
    block(width / 2 - 256, 16, 512, 8) ||
    block(width / 8, height - 80, 512, 2)
  );
}

/** A hard-edged equirectangular PNG, black on white: a 1 px grid every 64 px, thick lines and checker blocks. Made once. */
export async function diagnosticPanorama(width: number): Promise<string> {
  const height = width / 2;
  const path = `${INPUT_DIR}/diagnostic-${width}x${height}.png`;
  if (existsSync(path)) return path;
  mkdirSync(INPUT_DIR, { recursive: true });
  const pixels = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (isInk(x, y, width, height)) pixels.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  writeFileSync(
    path,
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
  return path;
}
