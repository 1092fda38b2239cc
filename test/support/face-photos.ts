import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Photos for the face engine's tests, from packages only (reference/faces.md §A.3):
 * - face-api's own demo/sample1.jpg … sample6.jpg (MIT; the npm package ships them): group photos
 *   of 3, 3, 3, 4, 5, 4 people, unlabelled, so two faces of one photo are two different people;
 * - Debian python3-skimage's astronaut.png (Eileen Collins, NASA, public domain): one face, and
 *   every transform of it made here is the same person;
 * - images made here with sharp: no face, two faces, and what the engine must refuse.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, '.tessera', 'fixtures');
const SKIMAGE_ASTRONAUT = 'usr/lib/python3/dist-packages/skimage/data/astronaut.png';

/** face-api's demo/sample<n>.jpg (1920 px wide). */
export function samplePhoto(n: 1 | 2 | 3 | 4 | 5 | 6): Buffer {
  return readFileSync(createRequire(import.meta.url).resolve(`@vladmandic/face-api/demo/sample${n}.jpg`));
}

/** The faces in sample1 … sample6 (counted by eye, and as both detectors count them in faces.md). */
export const SAMPLE_FACES = [3, 3, 3, 4, 5, 4] as const;

let astronautBytes: Buffer | undefined;

/**
 * skimage's astronaut.png (512×512, one face): from the installed python3-skimage, else from
 * .tessera/fixtures/ (git-ignored), else fetched once with `apt-get download python3-skimage`
 * (no root needed) and unpacked with dpkg-deb into that cache. When none works it throws, saying
 * how to get it: the tests that need it fail, never skip.
 */
export function astronaut(): Buffer {
  if (astronautBytes) return astronautBytes;
  const installed = path.join('/', SKIMAGE_ASTRONAUT);
  const cached = path.join(FIXTURES, 'astronaut.png');
  if (existsSync(installed)) return (astronautBytes = readFileSync(installed));
  if (!existsSync(cached)) fetchAstronaut(cached);
  return (astronautBytes = readFileSync(cached));
}

function fetchAstronaut(target: string): void {
  const work = mkdtempSync(path.join(tmpdir(), 'tessera-skimage-'));
  try {
    execFileSync('apt-get', ['download', 'python3-skimage'], { cwd: work, stdio: 'pipe', timeout: 120_000 });
    const deb = readdirSync(work).find((name) => name.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download left no .deb');
    execFileSync('dpkg-deb', ['-x', deb, 'unpacked'], { cwd: work, stdio: 'pipe', timeout: 120_000 });
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(work, 'unpacked', SKIMAGE_ASTRONAUT), target);
  } catch (error) {
    throw new Error(
      `astronaut.png is needed and could not be obtained (${(error as Error).message.split('\n')[0]}). Either ` +
        `\`sudo apt-get install python3-skimage\`, or put skimage/data/astronaut.png (from the python3-skimage ` +
        `.deb: \`apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb x\`) at ${target}`,
      { cause: error },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The astronaut made different in every way a client's photo of the same person may differ. */
export async function astronautTransforms(): Promise<Record<string, Buffer>> {
  const source = astronaut();
  const image = () => sharp(source);
  return {
    'mirrored (flop)': await image().flop().png().toBuffer(),
    'cropped to 300×300 round the face': await image().extract({ left: 100, top: 0, width: 300, height: 300 }).png().toBuffer(),
    'JPEG q40': await image().jpeg({ quality: 40 }).toBuffer(),
    'JPEG q20': await image().jpeg({ quality: 20 }).toBuffer(),
    'resized to 256 px': await image().resize(256).png().toBuffer(),
    'resized to 1024 px (JPEG q90)': await image().resize(1024).jpeg({ quality: 90 }).toBuffer(),
    'darker (brightness 0.6)': await image().modulate({ brightness: 0.6 }).png().toBuffer(),
    'brighter (brightness 1.4)': await image().modulate({ brightness: 1.4 }).png().toBuffer(),
    grayscale: await image().grayscale().png().toBuffer(),
    'rotated 10°': await image().rotate(10, { background: '#808080' }).png().toBuffer(),
  };
}

/**
 * The astronaut with its pixels stored turned a quarter left and EXIF orientation 6 ("turn right
 * to display"): displayed, it is the astronaut as she is.
 */
export async function astronautWithExifOrientation(): Promise<Buffer> {
  return sharp(astronaut()).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
}

/** The left two of sample1's three people (the third is outside the crop). */
export async function twoFacePhoto(): Promise<Buffer> {
  return sharp(samplePhoto(1)).extract({ left: 250, top: 200, width: 950, height: 600 }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * sample1's middle person alone, cut inside the face's box (what neither detector finds without a
 * border round it: SSD and Tiny find nothing, SSD on the bordered image finds the face).
 */
export async function tightFaceCrop(): Promise<Buffer> {
  return sharp(samplePhoto(1)).extract(TIGHT_CROP).jpeg({ quality: 90 }).toBuffer();
}

/** Where tightFaceCrop is cut from sample1. */
export const TIGHT_CROP = { left: 847, top: 430, width: 171, height: 201 };

/** Smooth coloured noise, 800×600: no face. */
export async function noFacePhoto(): Promise<Buffer> {
  const width = 800;
  const height = 600;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    pixels[i] = seed >>> 24;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .blur(4)
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A solid image of the given size and format, made by sharp (so its header is a real one). */
export async function plainImage(width: number, height: number, format: 'jpeg' | 'png' | 'tiff' | 'gif' | 'webp'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 150 } } })
    .toFormat(format)
    .toBuffer();
}

/** A TIFF of `pages` pages of 16×16. */
export async function multiPageTiff(pages: number): Promise<Buffer> {
  const width = 16;
  const height = 16;
  const pixels = Buffer.alloc(width * height * pages * 3, 128);
  return sharp(pixels, { raw: { width, height: height * pages, channels: 3, pageHeight: height } })
    .tiff()
    .toBuffer();
}

/**
 * A PNG that declares a size its data does not hold (IHDR, then one compressed row): what a
 * decompression bomb looks like from its header. Decoding it fails; its header reads fine.
 */
export function declaredPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = deflateSync(Buffer.alloc(1 + Math.min(width, 4096) * 3));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', row), chunk('IEND', Buffer.alloc(0))]);
}
