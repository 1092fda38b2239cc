import { invalidInput, tooLarge } from '../errors.ts';
import { panoramaLayout } from './layout.ts';

export type TileFormat = 'jpeg' | 'png' | 'webp';

export interface PanoramaQualities {
  readonly fallback: number;
  /** Levels 01, 02, 03, 04; a level beyond 04 uses 04's. */
  readonly levels: readonly [number, number, number, number];
}

const QUALITY_FIELDS = ['fallback_quality', '01_quality', '02_quality', '03_quality', '04_quality'] as const;

/**
 * `{fallback,01,02,03,04}_quality`: each an integer 1–100, else the configured default. Any other
 * `*_quality` field is refused rather than silently ignored.
 */
export function parseQualities(fields: Readonly<Record<string, string>>, fallbackDefault: number): PanoramaQualities {
  for (const name of Object.keys(fields)) {
    if (name.endsWith('_quality') && !(QUALITY_FIELDS as readonly string[]).includes(name)) {
      throw invalidInput(`${name} is not a quality this API takes; it takes ${QUALITY_FIELDS.join(', ')}`);
    }
  }
  const quality = (name: (typeof QUALITY_FIELDS)[number]) => {
    const raw = fields[name];
    if (raw === undefined || raw === '') return fallbackDefault;
    if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) throw invalidInput(`${name} must be an integer from 1 to 100`);
    return Number(raw);
  };
  return {
    fallback: quality('fallback_quality'),
    levels: [quality('01_quality'), quality('02_quality'), quality('03_quality'), quality('04_quality')],
  };
}

export const levelQuality = (qualities: PanoramaQualities, level: number) => qualities.levels[Math.min(level, 4) - 1]!;

const FORMAT_OF_EXTENSION: Record<string, TileFormat> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', webp: 'webp' };
const EXTENSION_OF_FORMAT: Record<string, string> = { jpg: 'jpg', jpeg: 'jpg', png: 'png', webp: 'webp' };

/**
 * Tiles carry the original's extension, as written (`.JPG` stays `.JPG`), encoded in the format
 * that extension names. A name without a known image extension gets the detected format's.
 */
export function tileFormatFor(filename: string, detected: string): { extension: string; format: TileFormat } {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1];
  const named = extension ? FORMAT_OF_EXTENSION[extension.toLowerCase()] : undefined;
  if (extension && named) return { extension, format: named };
  const fallbackExtension = EXTENSION_OF_FORMAT[detected];
  if (!fallbackExtension) throw invalidInput(`a panorama must be a JPEG, PNG or WebP image; this one is ${detected}`);
  return { extension: fallbackExtension, format: FORMAT_OF_EXTENSION[fallbackExtension]! };
}

/** The refusal for bytes whose header no image reader recognises. */
export const notAnImage = () => invalidInput('the file is not an image this service can read (JPEG, PNG or WebP expected)');

/** What an image header says, checked before anything is stored or decoded. */
export function checkPanoramaHeader(header: { width: number; height: number; type: string }, maxPixels: number): void {
  if (!EXTENSION_OF_FORMAT[header.type]) throw invalidInput(`a panorama must be a JPEG, PNG or WebP image; this one is ${header.type}`);
  if (header.width * header.height > maxPixels) {
    throw tooLarge(
      `the panorama is ${header.width}x${header.height} (${header.width * header.height} pixels); at most ${maxPixels} pixels are accepted`,
    );
  }
  panoramaLayout(header.width, header.height);
}
