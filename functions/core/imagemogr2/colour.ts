import { base64Bytes, base64UrlOf } from './base64.ts';
import type { Colour } from './plan.ts';
import { fail } from './rule-values.ts';

/** The names CTAccel's imageMogr2 documents for colours (reference §1.3), beside Base64 of `#RRGGBB[AA]`. */
const NAMED: Record<string, string> = {
  transparent: '#00000000',
  none: '#00000000',
  white: '#FFFFFF',
  black: '#000000',
  red: '#FF0000',
  orange: '#FFA500',
  yellow: '#FFFF00',
  green: '#008000',
  blue: '#0000FF',
  purple: '#800080',
  gray: '#7E7E7E',
  pink: '#FFC0CB',
};

const HEX = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i;

function fromHex(hex: string): Colour | undefined {
  const match = HEX.exec(hex);
  if (!match) return undefined;
  const byte = (at: number) => parseInt(match[1]!.slice(at, at + 2), 16);
  return { red: byte(0), green: byte(2), blue: byte(4), alpha: match[2] ? parseInt(match[2], 16) : 255 };
}

/** URL-safe Base64 as the rules write it: `-`/`_` or `+`/`/`, padding optional. */
export function decodeBase64Url(value: string, what: string): string {
  if (!/^[A-Za-z0-9_+/-]+={0,2}$/.test(value)) fail(`${what} "${value}" is not URL-safe Base64`);
  try {
    return new TextDecoder().decode(base64Bytes(value));
  } catch {
    return fail(`${what} "${value}" is not URL-safe Base64`);
  }
}

export const encodeBase64Url = base64UrlOf;

/** A colour written as URL-safe Base64 of `#RRGGBB` or `#RRGGBBAA`, or as one of the documented names. */
export function parseColour(value: string, what: string): Colour {
  const named = NAMED[value.toLowerCase()];
  if (named) return fromHex(named)!;
  const decoded = decodeBase64Url(value, what);
  return fromHex(decoded) ?? fail(`${what} "${value}" decodes to "${decoded}", not #RRGGBB or #RRGGBBAA`);
}

const hexByte = (value: number) => value.toString(16).toUpperCase().padStart(2, '0');

/** The canonical text of a colour: Base64 of `#RRGGBB`, with `AA` only when it is not opaque. */
export const renderColour = (colour: Colour): string =>
  encodeBase64Url(
    `#${hexByte(colour.red)}${hexByte(colour.green)}${hexByte(colour.blue)}${colour.alpha === 255 ? '' : hexByte(colour.alpha)}`,
  );

/** sharp's form of a colour. */
export const sharpColour = (colour: Colour) => ({ r: colour.red, g: colour.green, b: colour.blue, alpha: colour.alpha / 255 });
