import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { SHIPPED_FONT_FILES } from '../functions/core/imagemogr2/watermark-fonts.ts';
import { PROJECT_ROOT } from './group-entries.ts';

/**
 * The fonts text watermarks are drawn with (functions/worker/fonts.ts). Lambda's runtime has no
 * fonts, so they ship in the sharp layer, beside the library that draws them: `fonts/` in
 * layers/sharp is /opt/fonts on Lambda, which FONT_ENVIRONMENT points the worker at.
 */
export const FONTS_DIR = '/opt/fonts';
export const FONT_ENVIRONMENT = { TESSERA_FONTS_DIR: FONTS_DIR } as const;

/** Where the layer's copy is built: layers/sharp/fonts (generated, not committed). */
export const FONTS_LAYER_DIR = `${PROJECT_ROOT}layers/sharp/fonts`;

const resolve = createRequire(`${PROJECT_ROOT}package.json`).resolve;

/** Each shipped font's installed TTF and its licence (OFL-1.1), and the name each has in FONTS_DIR. */
export function fontFiles(): Array<{ source: string; target: string }> {
  return Object.values(SHIPPED_FONT_FILES).flatMap((file) => {
    const source = resolve(file);
    const licence = join(dirname(dirname(source)), 'LICENSE_FONT');
    return [
      { source, target: basename(file) },
      { source: licence, target: `${basename(file, '.ttf')}.LICENSE` },
    ];
  });
}

/**
 * Brings layers/sharp/fonts up to date with node_modules (run at synth by the SharpLayer
 * construct): a file with the same bytes is left alone, another is written aside and renamed into
 * place (synths running at once never read half a file), and anything else there is removed.
 */
export function buildFontsLayer(): string {
  mkdirSync(FONTS_LAYER_DIR, { recursive: true });
  const wanted = new Set<string>();
  for (const { source, target } of fontFiles()) {
    wanted.add(target);
    const destination = join(FONTS_LAYER_DIR, target);
    if (existsSync(destination) && readFileSync(destination).equals(readFileSync(source))) continue;
    const aside = `${destination}.writing-${process.pid}`;
    copyFileSync(source, aside);
    renameSync(aside, destination);
  }
  for (const name of readdirSync(FONTS_LAYER_DIR)) {
    if (!wanted.has(name) && !name.includes('.writing-')) rmSync(join(FONTS_LAYER_DIR, name), { force: true });
  }
  return FONTS_LAYER_DIR;
}
