import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildFacesLayer, FACE_ENVIRONMENT, FACE_MODELS, FACES_DIR, faceFiles } from '../../infra/face-files.ts';

const filesUnder = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name],
  );

describe('the faces layer (layers/faces/opt, built from node_modules)', () => {
  let root: string;
  before(() => {
    root = buildFacesLayer();
  });

  it("holds each net's manifest and the shards it names, and the SIMD .wasm alone: ≈13 MB, not node_modules' 351", () => {
    const files = filesUnder(root).filter((file) => !file.includes('.writing-'));
    assert.deepEqual(
      files.sort(),
      faceFiles()
        .map((file) => `faces/${file.target}`)
        .sort(),
    );
    assert.deepEqual(
      files.filter((file) => file.startsWith('faces/wasm/')),
      ['faces/wasm/tfjs-backend-wasm-simd.wasm'],
    );
    for (const { source, target } of faceFiles()) assert.equal(statSync(join(root, 'faces', target)).size, statSync(source).size, target);
    const bytes = files.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
    assert.ok(bytes > 12e6 && bytes < 15e6, `${bytes} bytes`);
    // What Lambda mounts at /opt is the layer's root: the paths the functions are given are there.
    for (const path of Object.values(FACE_ENVIRONMENT)) {
      assert.ok(path.startsWith(`${FACES_DIR}/`));
      assert.ok(statSync(join(root, path.slice('/opt/'.length))).isDirectory(), path);
    }
  });

  it('is all the engine reads: face-runtime, pointed at it by the two variables, loads every net it uses from it', async () => {
    process.env.TESSERA_FACE_MODELS_DIR = join(root, FACE_ENVIRONMENT.TESSERA_FACE_MODELS_DIR.slice('/opt/'.length));
    process.env.TESSERA_FACE_WASM_DIR = join(root, FACE_ENVIRONMENT.TESSERA_FACE_WASM_DIR.slice('/opt/'.length));
    const runtime = await import('../../functions/adapters/face-runtime.ts');
    assert.deepEqual(runtime.faceRuntimePaths(), {
      modelsDir: process.env.TESSERA_FACE_MODELS_DIR,
      wasmDir: process.env.TESSERA_FACE_WASM_DIR,
    });
    await runtime.loadCoreNets();
    await runtime.loadAttributeNets();
    assert.equal(runtime.tf.getBackend(), 'wasm');
    const loaded = Object.entries(runtime.faceapi.nets)
      .filter(([, net]) => net.isLoaded)
      .map(([name]) => name);
    assert.deepEqual(loaded.sort(), Object.keys(FACE_MODELS).sort());
  });
});
