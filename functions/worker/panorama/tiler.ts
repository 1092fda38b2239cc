import sharp, { type Sharp } from 'sharp';
import { FACES, fallbackPath, pannellumConfig, panoramaLayout, tilePath, type Face, type PanoramaLayout } from '../../core/panorama/layout.ts';
import { renderFace, sampleTables, type SampleTables } from '../../core/panorama/cube.ts';
import type { RawImage } from '../../core/panorama/projection.ts';

export interface TileFile {
  readonly path: string;
  readonly data: Buffer;
}

export interface TilerOptions {
  readonly extension: 'jpg' | 'png' | 'webp';
  /** Quality per level number (1 = smallest); levels past the last entry use the last one. */
  readonly levelQuality: (level: number) => number;
  readonly fallbackQuality: number;
  readonly tileSize?: number;
  readonly fallbackSize?: number;
}

function encode(image: Sharp, extension: TilerOptions['extension'], quality: number): Promise<Buffer> {
  if (extension === 'png') return image.png().toBuffer();
  if (extension === 'webp') return image.webp({ quality }).toBuffer();
  return image.jpeg({ quality }).toBuffer();
}

const rawInput = (face: RawImage) => ({ raw: { width: face.width, height: face.height, channels: face.channels as 3 } });

/**
 * Builds a Pannellum multires set from an equirectangular image held in memory: decode once,
 * project the six full-size faces, then per level shrink each face (sharp, Lanczos, from the
 * level above) and cut it into tiles; fallback faces straight from the full-size face.
 */
export async function buildPanorama(input: Buffer, options: TilerOptions, emit: (file: TileFile) => Promise<void>): Promise<PanoramaLayout> {
  const { data, info } = await sharp(input, { limitInputPixels: 16384 * 8192 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const layout = panoramaLayout(info.width, info.height, { tileSize: options.tileSize, fallbackSize: options.fallbackSize });
  const source: RawImage = { data, width: info.width, height: info.height, channels: info.channels };
  const tables = sampleTables(layout.cubeSize, source.width, source.height);
  for (const face of FACES) {
    await buildFace(source, tables, face, layout, options, emit);
  }
  await emit({ path: 'config.json', data: Buffer.from(JSON.stringify(pannellumConfig(layout, options.extension), null, 2)) });
  return layout;
}

async function buildFace(source: RawImage, tables: SampleTables, face: Face, layout: PanoramaLayout, options: TilerOptions, emit: (file: TileFile) => Promise<void>): Promise<void> {
  const top: RawImage = { data: renderFace(source, tables, face), width: layout.cubeSize, height: layout.cubeSize, channels: source.channels };
  await emit({
    path: fallbackPath(face, options.extension),
    data: await encode(sharp(top.data, rawInput(top)).resize(layout.fallbackSize, layout.fallbackSize, { kernel: 'lanczos3' }), options.extension, options.fallbackQuality),
  });
  let current = top;
  for (const level of [...layout.levels].reverse()) {
    if (level.size !== current.width) {
      const resized = await sharp(current.data, rawInput(current)).resize(level.size, level.size, { kernel: 'lanczos3' }).raw().toBuffer();
      current = { data: resized, width: level.size, height: level.size, channels: current.channels };
    }
    const quality = options.levelQuality(level.level);
    const tiles: Array<Promise<void>> = [];
    for (let row = 0; row < level.tilesPerSide; row++) {
      for (let column = 0; column < level.tilesPerSide; column++) {
        const left = column * layout.tileSize;
        const topOffset = row * layout.tileSize;
        const width = Math.min(layout.tileSize, level.size - left);
        const height = Math.min(layout.tileSize, level.size - topOffset);
        const image = sharp(current.data, rawInput(current)).extract({ left, top: topOffset, width, height });
        tiles.push(encode(image, options.extension, quality).then((data) => emit({ path: tilePath(level.level, face, row, column, options.extension), data })));
      }
    }
    await Promise.all(tiles);
  }
}
