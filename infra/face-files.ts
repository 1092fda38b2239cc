import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from './group-entries.ts';

/**
 * The files the face engine (functions/adapters/face-runtime.ts) reads from disk at run time, and
 * where a deployment puts them. The bundles hold face-api and tfjs' JavaScript; the weights and
 * the .wasm are files the engine opens by path, so they ship beside the code: in the faces Lambda
 * layer (unzipped by Lambda into /opt) and in the large-body container image, at the same paths.
 */
export const FACES_DIR = '/opt/faces';
/** What face-runtime.ts reads when node_modules is not there (faceRuntimePaths()). */
export const FACE_ENVIRONMENT = {
  TESSERA_FACE_MODELS_DIR: `${FACES_DIR}/models`,
  TESSERA_FACE_WASM_DIR: `${FACES_DIR}/wasm`,
} as const;

/** The route groups whose handlers run the face engine: their Lambdas get both layers, FACE_MEMORY_MB and FACE_ENVIRONMENT. */
export const FACE_GROUPS: ReadonlySet<string> = new Set(['vision']);

/**
 * Memory of a face group's Lambda. reference/faces.md §A.2 measured face-api on tfjs WASM at
 * 388–532 MB peak RSS (1 MP images, warm); a decoded image (up to 3840×2160 RGB, 25 MB, and its
 * shrunk and padded copies) and the request's images (up to ~4.45 MiB on Lambda) come on top.
 * Lambda gives a full vCPU from 1,769 MB; the engine is single-threaded WASM, so more memory would
 * not make it faster, and less would slow it in proportion (less CPU share). 2048 MB is the next
 * round size above that, about 4× the measured RSS.
 */
export const FACE_MEMORY_MB = 2048;

/**
 * face-api's weights for every net face-runtime.ts loads (CORE_NETS, then ATTRIBUTE_NETS on the
 * first request that asks for attributes): each net's manifest and the .bin shards it names.
 * face_landmark_68_tiny is not used. test/infra/faces-packaging.test.ts loads all of them from the
 * built layer, so a net added there and not here fails that test.
 */
export const FACE_MODELS: Readonly<Record<string, string>> = {
  tinyFaceDetector: 'tiny_face_detector_model',
  ssdMobilenetv1: 'ssd_mobilenetv1_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceRecognitionNet: 'face_recognition_model',
  ageGenderNet: 'age_gender_model',
  faceExpressionNet: 'face_expression_model',
};

/**
 * tfjs-backend-wasm reads exactly one binary, named by two flags (backend_wasm.js
 * getPathToWasmBinary): SIMD is detected by validating a tiny in-memory module, no file is
 * probed; face-runtime turns threads off (WASM_HAS_MULTITHREAD_SUPPORT), so never the
 * threaded-simd build; and Node 22+ on arm64 (every function and the container) always has WASM
 * SIMD, so never the plain build.
 */
const WASM = ['tfjs-backend-wasm-simd.wasm'];

const resolve = createRequire(`${PROJECT_ROOT}package.json`).resolve;

/** Each file: where it is installed, and its path under FACES_DIR. */
export function faceFiles(): Array<{ source: string; target: string }> {
  const modelDir = dirname(resolve('@vladmandic/face-api/model/ssd_mobilenetv1_model-weights_manifest.json'));
  const wasmDir = dirname(resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  const files: Array<{ source: string; target: string }> = [];
  for (const model of Object.values(FACE_MODELS)) {
    const manifest = `${model}-weights_manifest.json`;
    files.push({ source: join(modelDir, manifest), target: `models/${manifest}` });
    const groups = JSON.parse(readFileSync(join(modelDir, manifest), 'utf8')) as Array<{ paths: string[] }>;
    for (const shard of groups.flatMap((group) => group.paths)) files.push({ source: join(modelDir, shard), target: `models/${shard}` });
  }
  for (const name of WASM) files.push({ source: join(wasmDir, name), target: `wasm/${name}` });
  return files;
}

/** Copies the files into `directory` (models/, wasm/), for the container's build context. */
export function copyFaceFiles(directory: string): void {
  for (const { source, target } of faceFiles()) {
    mkdirSync(dirname(join(directory, target)), { recursive: true });
    copyFileSync(source, join(directory, target));
  }
}

/** The faces layer's content: `faces/` in it is /opt/faces on Lambda. */
export const FACES_LAYER_DIR = `${PROJECT_ROOT}layers/faces/opt`;

/**
 * Brings layers/faces/opt/faces up to date with node_modules (run at synth by the FacesLayer
 * construct, or by `npx tsx scripts/build-faces-layer.ts`) and returns layers/faces/opt. A file
 * already there with the same bytes is left alone; another is written aside and renamed into
 * place, so synths running at once (the test runner's files) never read a half-written file; a
 * file that is no longer needed is removed.
 */
export function buildFacesLayer(): string {
  const root = `${FACES_LAYER_DIR}/faces`;
  const wanted = new Set<string>();
  for (const { source, target } of faceFiles()) {
    const destination = join(root, target);
    wanted.add(destination);
    const bytes = readFileSync(source);
    if (existsSync(destination) && statSync(destination).size === bytes.length && readFileSync(destination).equals(bytes)) continue;
    mkdirSync(dirname(destination), { recursive: true });
    const aside = `${destination}.writing-${process.pid}`;
    copyFileSync(source, aside);
    renameSync(aside, destination);
  }
  // Whatever else is there: files of an older face-api, and copies a killed synth left aside (an hour old).
  const hourAgo = Date.now() - 3600_000;
  for (const folder of readdirSync(root)) {
    const path = join(root, folder);
    const names = statSync(path).isDirectory() ? readdirSync(path) : [];
    if (!names.length && !wanted.has(path)) rmSync(path, { recursive: true, force: true });
    for (const name of names) {
      const file = join(path, name);
      if (wanted.has(file) || (name.includes('.writing-') && statSync(file).mtimeMs > hourAgo)) continue;
      rmSync(file, { recursive: true, force: true });
    }
  }
  return FACES_LAYER_DIR;
}
