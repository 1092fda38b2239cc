import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { buildFontsLayer, FONT_ENVIRONMENT, FONTS_DIR, fontFiles } from '../../infra/font-files.ts';
import { PROJECT_ROOT } from '../../infra/group-entries.ts';
import { SHIPPED_FONTS } from '../../functions/core/imagemogr2/watermark-fonts.ts';

describe('the watermark fonts in the sharp layer (layers/sharp/fonts, built from node_modules)', () => {
  it('holds each shipped font and its licence, where the worker is told to look on Lambda', () => {
    const root = buildFontsLayer();
    // The sharp layer's folder is what Lambda mounts at /opt.
    assert.equal(`/opt/${relative(`${PROJECT_ROOT}layers/sharp`, root)}`, FONTS_DIR);
    assert.equal(FONT_ENVIRONMENT.TESSERA_FONTS_DIR, FONTS_DIR);
    assert.deepEqual(
      readdirSync(root).sort(),
      fontFiles()
        .map((file) => file.target)
        .sort(),
    );
    assert.deepEqual(readdirSync(root).filter((name) => name.endsWith('.ttf')).length, SHIPPED_FONTS.length);
    for (const { source, target } of fontFiles()) assert.equal(statSync(join(root, target)).size, statSync(source).size, target);
    const cjk = statSync(join(root, 'NotoSansSC_400Regular.ttf')).size;
    assert.ok(cjk > 10e6 && cjk < 11e6, `${cjk} bytes`);
  });

  it('is all text rendering needs: the worker, pointed at it, draws with each font from there', async () => {
    process.env.TESSERA_FONTS_DIR = buildFontsLayer();
    try {
      const { fontFile } = await import('../../functions/worker/fonts.ts');
      for (const font of SHIPPED_FONTS) {
        assert.ok(fontFile(font).startsWith(process.env.TESSERA_FONTS_DIR), font);
        const { info } = await sharp({ text: { text: '万象 Tessera', font, fontfile: fontFile(font) } })
          .raw()
          .toBuffer({ resolveWithObject: true });
        assert.ok(info.width > 20, font);
      }
    } finally {
      delete process.env.TESSERA_FONTS_DIR;
    }
  });
});
