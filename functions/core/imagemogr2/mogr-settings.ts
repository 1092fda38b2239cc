import type { Colour, MogrStage } from './plan.ts';
import { fail } from './rule-values.ts';

const UNIT_BYTES = { '': 1, k: 1024, m: 1024 * 1024 } as const;
/** The reference's input limit: no output needs a larger cap. */
const MAX_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * `size-limit/<n>k|m[!]`. A bare number counts bytes, as ImageMagick's `jpeg:extent` (the option
 * it mirrors) reads one; Tencent's PHP sample writes `size-limit/15!`.
 */
export function parseSizeLimit(value: string): { bytes: number; keepSmallerInput: boolean } {
  const match = /^(\d+)([km]?)(!?)$/i.exec(value);
  if (!match) return fail(`size-limit "${value}" is not <n>, <n>k or <n>m, with an optional !`);
  const unit = match[2]!.toLowerCase() as keyof typeof UNIT_BYTES;
  const bytes = Number(match[1]) * UNIT_BYTES[unit];
  if (bytes < 1 || bytes > MAX_SIZE_LIMIT_BYTES) fail(`size-limit must be from 1 byte to 32m, got ${match[1]}${match[2]}`);
  return { bytes, keepSmallerInput: match[3] === '!' };
}

/** The shortest text for a byte count that parses back to it. */
export function sizeLimitText(bytes: number): string {
  if (bytes % UNIT_BYTES.m === 0) return `${bytes / UNIT_BYTES.m}m`;
  if (bytes % UNIT_BYTES.k === 0) return `${bytes / UNIT_BYTES.k}k`;
  return `${bytes}`;
}

/** The reference's default for pad's color and for what transparency becomes in a JPEG. */
export const WHITE: Colour = { red: 255, green: 255, blue: 255, alpha: 255 };

/** The colour a stage's transparent pixels take where its output format has none (JPEG): its background, opaque. */
export const opaqueBackground = (stage: MogrStage): Colour => ({ ...(stage.background ?? WHITE), alpha: 255 });

export const sameColour = (a: Colour, b: Colour) => a.red === b.red && a.green === b.green && a.blue === b.blue && a.alpha === b.alpha;

export function flag(name: string, value: string): boolean {
  if (value !== '0' && value !== '1') fail(`${name} "${value}" is not 0 or 1`);
  return value === '1';
}

/** cgif/<n> (reference §1.3): 1 cuts a longer GIF to 30 frames; 2–100 keep at most n. */
export const CGIF_VALUES = { min: 1, max: 100 } as const;
const CGIF_DEFAULT_FRAMES = 30;
export const cgifFrames = (cgif: number) => (cgif === 1 ? CGIF_DEFAULT_FRAMES : cgif);
