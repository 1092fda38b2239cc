import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { FONTS, SHIPPED_FONT_FILES, type ShippedFont } from '../core/imagemogr2/watermark-fonts.ts';

/**
 * The file of a shipped font: in TESSERA_FONTS_DIR where a deployment put them (the sharp layer's
 * /opt/fonts on Lambda, which has no fonts of its own: infra/font-files.ts), else in node_modules.
 */
export function fontFile(font: ShippedFont): string {
  const directory = process.env.TESSERA_FONTS_DIR;
  if (directory) return join(directory, basename(SHIPPED_FONT_FILES[font]));
  try {
    return createRequire(import.meta.url).resolve(SHIPPED_FONT_FILES[font]);
  } catch (error) {
    throw new Error(`cannot find the font ${SHIPPED_FONT_FILES[font]} (set TESSERA_FONTS_DIR when node_modules is not there)`, {
      cause: error,
    });
  }
}

const registered = new Map<ShippedFont, Promise<unknown>>();

/**
 * libvips hands a font file to fontconfig the first time a text names it, and it stays there for
 * the process; a fallback font must be registered so before Pango can fall back to it.
 */
const register = (font: ShippedFont): Promise<unknown> => {
  if (!registered.has(font))
    registered.set(
      font,
      sharp({ text: { text: '.', font, fontfile: fontFile(font) } })
        .raw()
        .toBuffer(),
    );
  return registered.get(font)!;
};

/** Pango's markup characters, written as entities: a mark's text is shown as given, never read as markup. */
const escapeMarkup = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A text's coverage (one band, 0–255) in a documented font at `size` points, rendered at 72 dpi
 * so a point is a pixel; characters the first font lacks come from the next (Noto Sans SC for CJK).
 */
export async function renderText(text: string, font: string, size: number): Promise<{ data: Buffer; width: number; height: number }> {
  const [primary, ...fallbacks] = FONTS[font]!;
  await Promise.all(fallbacks.map(register));
  const { data, info } = await sharp({
    text: { text: escapeMarkup(text), font: `${[primary, ...fallbacks].join(', ')} ${size}`, fontfile: fontFile(primary!), dpi: 72 },
  })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
