import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';

/**
 * The face models, loaded once per process: tfjs on its WASM backend (SIMD, one thread; tfjs-node
 * cannot be installed without network, and the pure-JS `cpu` backend is ~50× slower), and
 * @vladmandic/face-api's weights read from disk. Nothing is fetched from the network: the .wasm is
 * read from a folder (Emscripten reads a path with fs in Node) and the weights with loadFromDisk.
 */

export { faceapi, tf };

/**
 * Where the weights and the .wasm files are. Read here rather than in config.ts because they are
 * deployment facts of this adapter only (a Lambda layer or container puts them at fixed paths):
 * TESSERA_FACE_MODELS_DIR holds face-api's `model/` files, TESSERA_FACE_WASM_DIR holds
 * `tfjs-backend-wasm-simd.wasm` (and its siblings). Unset, both come from the installed packages,
 * which is what running from source (tsx) needs; a bundle without node_modules must set both.
 */
export function faceRuntimePaths(): { modelsDir: string; wasmDir: string } {
  return {
    modelsDir:
      process.env.TESSERA_FACE_MODELS_DIR || packageFolder('@vladmandic/face-api/model/ssd_mobilenetv1_model-weights_manifest.json'),
    wasmDir: process.env.TESSERA_FACE_WASM_DIR || packageFolder('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
  };
}

function packageFolder(file: string): string {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(file));
  } catch (error) {
    throw new Error(`cannot find ${file} (set TESSERA_FACE_MODELS_DIR and TESSERA_FACE_WASM_DIR when node_modules is not there)`, {
      cause: error,
    });
  }
}

/** The nets every detect() uses, and those only `attributes: true` needs. */
const CORE_NETS = ['tinyFaceDetector', 'ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'] as const;
const ATTRIBUTE_NETS = ['ageGenderNet', 'faceExpressionNet'] as const;

let backend: Promise<void> | undefined;
let coreNets: Promise<void> | undefined;
let attributeNets: Promise<void> | undefined;

/** Starts the WASM backend once; a failure is not cached, so a later call tries again. */
function startBackend(): Promise<void> {
  backend ??= (async () => {
    const { wasmDir } = faceRuntimePaths();
    // One thread: the threaded build needs workers and fails to start in Node ("WASM backend not initialized").
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
    // Emscripten's loader reads `__dirname` when it starts in Node. Bundled as ESM (esbuild,
    // format esm) there is none and the backend fails with "__dirname is not defined"; the value
    // is only its default folder for the .wasm, which setWasmPaths overrides, so lend it one for
    // the start and take it back. Under tsx/CommonJS the module's own __dirname is used instead.
    const global = globalThis as { __dirname?: string };
    const lent = global.__dirname === undefined;
    if (lent) global.__dirname = wasmDir;
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error(`the tfjs WASM backend did not start (wasm files from ${wasmDir})`);
      await tf.ready();
    } finally {
      if (lent) delete global.__dirname;
    }
  })().catch((error: unknown) => {
    backend = undefined;
    throw error;
  });
  return backend;
}

function load(nets: readonly (keyof typeof faceapi.nets)[]): Promise<void> {
  return startBackend().then(async () => {
    const { modelsDir } = faceRuntimePaths();
    for (const name of nets) if (!faceapi.nets[name].isLoaded) await faceapi.nets[name].loadFromDisk(modelsDir);
  });
}

/** The detectors, landmarks and descriptor (12.2 MB of weights, ~0.3 s here). */
export function loadCoreNets(): Promise<void> {
  coreNets ??= load(CORE_NETS).catch((error: unknown) => {
    coreNets = undefined;
    throw error;
  });
  return coreNets;
}

/** Age, gender and expressions (0.76 MB, ~50 ms): loaded on the first call that asks for them. */
export function loadAttributeNets(): Promise<void> {
  attributeNets ??= load(ATTRIBUTE_NETS).catch((error: unknown) => {
    attributeNets = undefined;
    throw error;
  });
  return attributeNets;
}
