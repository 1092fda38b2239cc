import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { BUNDLING, PROJECT_ROOT } from '../../infra/group-entries.ts';
import { punchingWorksHere } from '../support/file-holes.ts';
import { kernelTakesHugePageAdvice } from '../support/transparent-huge-pages.ts';

const LAYER_MODULES = `${PROJECT_ROOT}layers/sharp/nodejs/node_modules`;
const version = (modules: string) => (JSON.parse(readFileSync(join(modules, 'koffi/package.json'), 'utf8')) as { version: string }).version;

/**
 * The panorama build asks for huge pages through koffi, which the worker's bundle leaves out and
 * the sharp layer ships: on Lambda the layer is /opt/nodejs/node_modules, found through NODE_PATH.
 */
describe('koffi in the sharp layer, as the bundled worker loads it', () => {
  let folder: string;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tessera-koffi-'));
    const entry = join(folder, 'entry.ts');
    writeFileSync(
      entry,
      `import { adviseHugePages } from ${JSON.stringify(`${PROJECT_ROOT}functions/worker/panorama/huge-pages.ts`)};\n` +
        `import { punchHole } from ${JSON.stringify(`${PROJECT_ROOT}functions/worker/panorama/file-holes.ts`)};\n` +
        `import { FOLLOW_WRITTEN, followControl, startKernelHelper } from ${JSON.stringify(`${PROJECT_ROOT}functions/worker/panorama/kernel-helper.ts`)};\n` +
        `import { CUBE_KERNEL_WASM_BASE64 } from ${JSON.stringify(`${PROJECT_ROOT}functions/worker/panorama/kernel/cube-kernel-module.ts`)};\n` +
        "import { openSync, statSync, writeFileSync } from 'node:fs';\n" +
        'const bytes = 4 << 20;\n' +
        'const huge = adviseHugePages(new WebAssembly.Memory({ initial: bytes / 65536, maximum: bytes / 65536, shared: true }).buffer);\n' +
        "writeFileSync('probe', new Uint8Array(16384));\n" +
        "const punched = punchHole(openSync('probe', 'r+'), 0, 16384);\n" +
        // The helper thread loads koffi itself, from the path this thread resolved: it reads 32 KiB after a 16 KiB head and gives them back.
        'const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });\n' +
        "writeFileSync('followed', new Uint8Array(3 * 16384));\n" +
        "const helper = startKernelHelper(new WebAssembly.Module(Buffer.from(CUBE_KERNEL_WASM_BASE64, 'base64')), memory);\n" +
        'const control = followControl(2 * 16384).fill(FOLLOW_WRITTEN, 0, 1);\n' +
        "await helper.follow({ path: 'followed', fileOffset: 16384, offset: 0, bytes: 2 * 16384, control, bounced: false });\n" +
        'await helper.close();\n' +
        "console.log(`${huge} ${punched} ${statSync('followed').blocks * 512 <= 16384}`);\n",
    );
    await build({
      entryPoints: [entry],
      outfile: join(folder, 'task/index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      banner: { js: BUNDLING.banner },
      external: [...BUNDLING.externalModules],
      logLevel: 'error',
    });
    // A layer laid out as Lambda mounts it, holding this machine's koffi binary in place of its linux-arm64 one.
    const layer = join(folder, 'opt/nodejs/node_modules');
    mkdirSync(join(layer, '@koromix'), { recursive: true });
    symlinkSync(`${PROJECT_ROOT}node_modules/koffi`, join(layer, 'koffi'));
    symlinkSync(
      `${PROJECT_ROOT}node_modules/@koromix/koffi-${process.platform}-${process.arch}`,
      join(layer, `@koromix/koffi-${process.platform}-${process.arch}`),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const run = (env: NodeJS.ProcessEnv) =>
    execFileSync(process.execPath, [join(folder, 'task/index.mjs')], {
      cwd: join(folder, 'task'),
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    }).trim();

  it('ships the same koffi as the project, with its linux-arm64 binary', () => {
    assert.equal(version(LAYER_MODULES), version(`${PROJECT_ROOT}node_modules`));
    assert.ok(existsSync(join(LAYER_MODULES, '@koromix/koffi-linux-arm64')));
  });

  it(
    'is left out of the bundle and found in the layer through NODE_PATH, by the helper thread too',
    { skip: process.platform !== 'linux' && 'Linux only' },
    () => {
      assert.equal(
        run({ NODE_PATH: join(folder, 'opt/nodejs/node_modules') }),
        `${kernelTakesHugePageAdvice} ${punchingWorksHere} ${punchingWorksHere}`,
      );
    },
  );

  it('without the layer, the build goes on without huge pages, and both threads keep the scratch file whole', () => {
    assert.equal(run({}), 'false false false');
  });
});
