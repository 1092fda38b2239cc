import sharp from 'sharp';

/**
 * `length` bytes of Gaussian noise (Box–Muller over mulberry32 from a fixed seed), rounded and clamped:
 * the same every run, unlike sharp's noise, so PSNR floors measured on the photograph hold exactly.
 */
function gaussianNoise(length: number, mean: number, sigma: number): Buffer {
  let state = 0x1e55e7a;
  const uniform = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const noise = Buffer.alloc(length);
  for (let index = 0; index < length; index += 2) {
    const radius = sigma * Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    noise[index] = Math.min(255, Math.max(0, Math.round(mean + radius * Math.cos(angle))));
    if (index + 1 < length) noise[index + 1] = Math.min(255, Math.max(0, Math.round(mean + radius * Math.sin(angle))));
  }
  return noise;
}

/**
 * A procedural equirectangular JPEG (q90) of width×width/2: broad colour waves, enlarged with
 * Lanczos, under fine grain, so it decodes and compresses like a photograph. width is a multiple of 16.
 */
export async function photographPanorama(width: number): Promise<Buffer> {
  const height = width / 2;
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
  const grain = await sharp(gaussianNoise(grainTile.width * grainTile.height * 3, 128, 7), { raw: grainTile })
    .blur(0.8)
    .raw()
    .toBuffer();
  return sharp(base, { raw, limitInputPixels: false })
    .composite([{ input: grain, raw: grainTile, tile: true, blend: 'soft-light' }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

const GRID_SPACING = 64;

interface Block {
  readonly left: number;
  readonly top: number;
  readonly side: number;
  readonly cell: number;
}

/**
 * Checker blocks, placed and sized in degrees (as on a 4096-wide image) with cells of a fixed pixel size:
 * 4 px cells on the equator at longitude 0 (face f's centre), 16 px cells at +90° (face r's),
 * 8 px cells by the north pole (face u), 2 px cells by the south pole (face d; cut off by the image's bottom edge).
 */
function checkerBlocks(width: number, height: number): Block[] {
  const scale = width / 4096;
  return [
    { left: width / 2 - 96 * scale, top: height / 2 - 96 * scale, side: 192 * scale, cell: 4 },
    { left: (3 * width) / 4 - 128 * scale, top: height / 2 - 128 * scale, side: 256 * scale, cell: 16 },
    { left: width / 2 - 256 * scale, top: 16 * scale, side: 512 * scale, cell: 8 },
    { left: width / 8, top: height - 80 * scale, side: 512 * scale, cell: 2 },
  ];
}

const inside = (block: Block, x: number, y: number) =>
  x >= block.left && x < block.left + block.side && y >= block.top && y < block.top + block.side;

/** Black pixels of the pattern: where resampling shows itself (ringing, blur, aliasing), unlike a photograph's soft detail. */
function isInk(x: number, y: number, width: number, height: number, blocks: readonly Block[]): boolean {
  if (x % GRID_SPACING === 0 || y % GRID_SPACING === 0) return true;
  // Thick lines: an 8 px meridian a quarter of the way round, 6 px parallels at ±30° latitude.
  if (x >= width / 4 && x < width / 4 + 8) return true;
  if (Math.abs(y - height / 3) < 3 || Math.abs(y - (2 * height) / 3) < 3) return true;
  return blocks.some(
    (block) => inside(block, x, y) && (Math.floor((x - block.left) / block.cell) + Math.floor((y - block.top) / block.cell)) % 2 === 0,
  );
}

/** A 5×7 bitmap font, one string of five '#'/'.' per row: the characters the labels use. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  N: ['#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
};

/** Sets `text` in black into an RGB buffer, top-left at (left, top), each font pixel scale×scale, one font pixel between characters. */
function stamp(pixels: Buffer, width: number, text: string, left: number, top: number, scale: number): void {
  for (const [index, character] of [...text].entries()) {
    const glyph = GLYPHS[character]!;
    for (let row = 0; row < 7 * scale; row++) {
      for (let column = 0; column < 5 * scale; column++) {
        if (glyph[Math.floor(row / scale)]![Math.floor(column / scale)] !== '#') continue;
        const at = ((top + row) * width + left + index * 6 * scale + column) * 3;
        pixels.fill(0, at, at + 3);
      }
    }
  }
}

/**
 * A hard-edged equirectangular PNG of width×width/2, black on white: a 1 px grid every 64 px, thick
 * lines, checker blocks (cells of 2–16 px), and labels (a 5×7 font, 2 px per font pixel at 2048 wide) beside every
 * 30° of longitude and latitude up to ±60°, e.g. "120E" over "30S" — text, as a diagnostic panorama has.
 * width is a multiple of 8.
 */
export async function diagnosticPanorama(width: number): Promise<Buffer> {
  const height = width / 2;
  const pixels = Buffer.alloc(width * height * 3, 255);
  const blocks = checkerBlocks(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (isInk(x, y, width, height, blocks)) pixels.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  const scale = Math.max(1, Math.floor(width / 1024));
  for (let longitude = -150; longitude <= 180; longitude += 30) {
    for (let latitude = -60; latitude <= 60; latitude += 30) {
      // Just below and right of the intersection, wrapping past 180° to the image's left edge; none on a checker block.
      const left = Math.round(((longitude + 180) / 360) * width + 6 * scale) % width;
      const top = Math.round(((90 - latitude) / 180) * height + 6 * scale);
      const [right, bottom] = [left + 4 * 6 * scale, top + 16 * scale];
      const corners = [left, right].flatMap((x) => [top, bottom].map((y) => [x, y] as const));
      if (blocks.some((block) => corners.some(([x, y]) => inside(block, x, y)))) continue;
      const east = longitude === 0 || longitude === 180 ? '' : longitude > 0 ? 'E' : 'W';
      stamp(pixels, width, `${Math.abs(longitude)}${east}`, left, top, scale);
      stamp(pixels, width, `${Math.abs(latitude)}${latitude === 0 ? '' : latitude > 0 ? 'N' : 'S'}`, left, top + 9 * scale, scale);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
