import sharp from 'sharp';
import { FACES, type Face } from '../../functions/core/panorama/layout.ts';
import type { RawImage } from '../../functions/core/panorama/projection.ts';

/** The multiRes block of a Pannellum config.json, as both Tessera and generate.py write it. */
interface MultiRes {
  readonly path: string;
  readonly extension: string;
  readonly tileResolution: number;
  readonly maxLevel: number;
  readonly cubeResolution: number;
}

export interface TileSet {
  readonly maxLevel: number;
  /** Face size of `level` (1 = smallest): each level half the one above, floored, as both builders make them. */
  readonly levelSize: (level: number) => number;
  /** The level's six faces, assembled from their decoded tiles (cached). */
  readonly faces: (level: number) => Promise<ReadonlyMap<Face, RawImage>>;
}

/** Opens a tile set through `read` (a path relative to the set's folder), naming tiles as its config.json says. */
export async function openTileSet(read: (path: string) => Promise<Buffer>): Promise<TileSet> {
  const { multiRes } = JSON.parse((await read('config.json')).toString('utf8')) as { multiRes: MultiRes };
  const levelSize = (level: number) => Math.floor(multiRes.cubeResolution / 2 ** (multiRes.maxLevel - level));
  const tilePath = (level: number, face: Face, row: number, column: number) =>
    `${multiRes.path
      .replace('%l', String(level))
      .replace('%s', face)
      .replace('%y', String(row))
      .replace('%x', String(column))
      .replace(/^\//, '')}.${multiRes.extension}`;

  const assembleFace = async (level: number, face: Face): Promise<RawImage> => {
    const size = levelSize(level);
    const tile = multiRes.tileResolution;
    const data = new Uint8Array(size * size * 3);
    for (let row = 0; row * tile < size; row++) {
      for (let column = 0; column * tile < size; column++) {
        // sRGB, no alpha: a grey input may give grey tiles, and the renderer reads three channels.
        const decoded = await sharp(await read(tilePath(level, face, row, column)))
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
        const { width, height } = decoded.info;
        for (let y = 0; y < height; y++) {
          const target = ((row * tile + y) * size + column * tile) * 3;
          data.set(decoded.data.subarray(y * width * 3, (y + 1) * width * 3), target);
        }
      }
    }
    return { data, width: size, height: size, channels: 3 };
  };

  const cache = new Map<number, Promise<ReadonlyMap<Face, RawImage>>>();
  const faces = (level: number) => {
    let cached = cache.get(level);
    if (!cached) {
      cached = Promise.all(FACES.map((face) => assembleFace(level, face))).then(
        (images) => new Map(FACES.map((face, index) => [face, images[index]!])),
      );
      cache.set(level, cached);
    }
    return cached;
  };
  return { maxLevel: multiRes.maxLevel, levelSize, faces };
}
