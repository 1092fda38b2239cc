/**
 * One measurement in a fresh process, so peak RSS belongs to it alone:
 *   build INPUT  — buildPanorama at q75 (generate.py's default), tiles kept in memory;
 *   floor INPUT  — decode INPUT once, then encode as many output pixels as the build writes, as
 *                  512² JPEG q75 tiles from a ready raw image, all in flight on sharp's pool, each
 *                  deringed only if it holds a colour deringing can change, as the tiler's are.
 * Prints {seconds, peakRssMb, outputPixels}.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { panoramaLayout } from '../functions/core/panorama/layout.ts';
import { buildPanorama } from '../functions/worker/panorama/tiler.ts';
import { holdsJpegExtremeColour } from '../test/support/jpeg-extremes.ts';

const [mode, path] = process.argv.slice(2);
const input = readFileSync(path!);
const { width = 0, height = 0 } = await sharp(input, { limitInputPixels: false }).metadata();
const layout = panoramaLayout(width, height);
const outputPixels = 6 * layout.levels.reduce((sum, level) => sum + level.size ** 2, 0) + 6 * layout.fallbackSize ** 2;
const limitInputPixels = width * height;
let seconds: number;

if (mode === 'build') {
  const started = performance.now();
  await buildPanorama(
    input,
    { extension: 'jpg', format: 'jpeg', levelQuality: () => 75, fallbackQuality: 75, maxInputPixels: limitInputPixels },
    async () => undefined,
  );
  seconds = (performance.now() - started) / 1000;
} else {
  const tileHeight = Math.round(Math.sqrt(outputPixels / 2));
  const raw = { width: 2 * tileHeight, height: tileHeight, channels: 3 as const };
  const pixels = await sharp(input, { limitInputPixels }).resize(raw.width, raw.height).raw().toBuffer();
  const regions: Array<{ left: number; top: number; width: number; height: number }> = [];
  for (let top = 0; top < raw.height; top += 512) {
    for (let left = 0; left < raw.width; left += 512) {
      regions.push({ left, top, width: Math.min(512, raw.width - left), height: Math.min(512, raw.height - top) });
    }
  }
  // Decided before the clock starts: the floor is the encoding, not the tiler's screen for it.
  const deringing = regions.map((region) => holdsJpegExtremeColour(pixels, raw.width, region));
  const started = performance.now();
  await sharp(input, { limitInputPixels }).raw().toBuffer();
  const tiles = regions.map((region, index) =>
    sharp(pixels, { raw, limitInputPixels: false }).extract(region).jpeg({ quality: 75, overshootDeringing: deringing[index] }).toBuffer(),
  );
  await Promise.all(tiles);
  seconds = (performance.now() - started) / 1000;
}
console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, outputPixels }));
