import sharp from 'sharp';
import { describeFaces, type FaceAttributes } from './face-describe.ts';
import { exerciseDetectors, findFaces, type FacePurpose } from './face-detectors.ts';
import { decodeRgb, inspectImage } from './face-image.ts';
import { loadAttributeNets, loadCoreNets } from './face-runtime.ts';

/**
 * The face engine of the vision dialect: finds the faces in a JPEG, PNG or TIFF and gives each a
 * 128-D descriptor (@vladmandic/face-api's dlib-style recognition net: same person when the
 * euclidean distance is ≤ 0.5, reference/faces.md), optionally age, gender and expressions.
 *
 * Runs in-process on tfjs' WASM backend, which is single-threaded: one detect() at a time per
 * process. Concurrent calls queue here in call order (each holds only its input bytes while it
 * waits; the decoded pixels and tensors of one image at a time), so memory stays bounded
 * whatever the number of callers, and no call is slower than running alone plus its wait.
 * More throughput comes from more processes (Lambda instances), not from more calls in one.
 *
 * Files: face-image (header checks, decoding), face-detectors (which detector finds the faces),
 * face-describe (landmarks, descriptor, attributes), face-runtime (tfjs, weights, paths).
 */

export { FaceImageProblem, UNKNOWN_IMAGE_TYPE, inspectImage, type ImageHeader } from './face-image.ts';
export type { FaceAttributes, Expression } from './face-describe.ts';
export type { FacePurpose } from './face-detectors.ts';

export interface DetectedFace {
  /**
   * Integer pixels of the image as displayed (after its EXIF orientation), clamped to it; right
   * and bottom are the edges past the face, so right - left is its width (≥ 1).
   */
  readonly box: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  /** The detector's confidence, 0..1. */
  readonly score: number;
  /** 128 values; compare with euclidean distance. */
  readonly descriptor: Float32Array;
  /** Only when asked for. */
  readonly attributes?: FaceAttributes;
}

export interface DetectOptions {
  /** 'enroll' (persons/set: counts faces carefully) or 'search' (recognize: fast for one face). */
  readonly purpose: FacePurpose;
  /** Age, gender and expressions as well (two more nets, ~0.8 MB, loaded on first use). */
  readonly attributes: boolean;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs work after every piece queued before it has settled, failures included. */
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}

async function detect(bytes: Buffer, options: DetectOptions): Promise<DetectedFace[]> {
  await inspectImage(bytes);
  await loadCoreNets();
  if (options.attributes) await loadAttributeNets();
  return inTurn(async () => {
    const full = await decodeRgb(bytes);
    const faces = await findFaces(full, options.purpose);
    const descriptions = await describeFaces(full, faces, options.attributes);
    return faces.map((face, index) => {
      const left = Math.round(face.left);
      const top = Math.round(face.top);
      const box = {
        left,
        top,
        right: Math.min(full.width, Math.max(left + 1, Math.round(face.right))),
        bottom: Math.min(full.height, Math.max(top + 1, Math.round(face.bottom))),
      };
      const { descriptor, attributes } = descriptions[index]!;
      return attributes ? { box, score: face.score, descriptor, attributes } : { box, score: face.score, descriptor };
    });
  });
}

let warmed: Promise<void> | undefined;
let warmedAttributes: Promise<void> | undefined;

/**
 * Loads the nets and runs each once on a synthetic image: the first inference is 0.4–2 s slower
 * than the next (WASM compilation, heap growth). Call at Lambda init or server start; detect()
 * works without it, only its first call is slower. A failure is not remembered: call again.
 */
function warm(options: { attributes?: boolean } = {}): Promise<void> {
  warmed ??= runWarmUp(false).catch((error: unknown) => {
    warmed = undefined;
    throw error;
  });
  if (!options.attributes) return warmed;
  warmedAttributes ??= warmed
    .then(() => runWarmUp(true))
    .catch((error: unknown) => {
      warmedAttributes = undefined;
      throw error;
    });
  return warmedAttributes;
}

async function runWarmUp(attributes: boolean): Promise<void> {
  await loadCoreNets();
  if (attributes) await loadAttributeNets();
  // A 1 MP JPEG through the whole path (sharp's decoder and resizer warm up too): every detector
  // pass with its thresholds at 0 (so box decoding and suppression run, not only the nets), then
  // landmarks and descriptor (and the attribute nets) on a made-up box. Then the search path once
  // more: after one pass the first real call still took ~250 ms against ~150 ms warm (tfjs' JS
  // side is not yet optimised by V8); after a second it is at the warm figure.
  const jpeg = await syntheticJpeg(1024, 1024);
  const box = { left: 400, top: 380, right: 620, bottom: 640, score: 1 };
  await inTurn(async () => {
    const image = await decodeRgb(jpeg);
    if (!attributes) await exerciseDetectors(image, ['tiny', 'ssd', 'bordered-ssd']);
    await describeFaces(image, [box], attributes);
    if (!attributes) await exerciseDetectors(image, ['tiny']);
    await describeFaces(image, [box], attributes);
  });
}

/** A smooth colour gradient: no face, and nothing a detector takes for one. */
function syntheticJpeg(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      data[offset] = (x * 255) / width;
      data[offset + 1] = (y * 255) / height;
      data[offset + 2] = 128;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}

export const faceEngine = { detect, warm };
