import type { TNetInput } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { padRgb, shrinkRgb, type RgbImage } from './face-image.ts';
import { faceapi, tf } from './face-runtime.ts';

/**
 * Where the faces are: which detector runs on what, for each purpose. Measured on this machine
 * (2 cores, WASM SIMD, one thread), images shrunk to ≤ 640 px first (sharp, lanczos3: both
 * detectors resize to their own input anyway, and a smaller tensor costs less to build and pad):
 *
 * - TinyFaceDetector (input 512): 55–110 ms. Faces found in face-api's sample1…6 (3,3,3,4,5,4
 *   faces): 3,2,3,4,5,4 (input 416: 3,1,3,3,5,5, so 512 it is). On tight face crops it finds
 *   2 of 23 (11 of 23 with a border).
 * - SSD MobileNetV1: 230–370 ms, 3,3,3,4,5,4 on the samples, every true face ≥ 0.75 and nothing
 *   else ≥ 0.5. On a crop that is just the face it finds 10 of 23, with a border of half the long
 *   side on every side 21 of 23 (22/23 and 23/23 when the crop has 10 % or 30 % around the face);
 *   a border that large on a whole photo shrinks its faces and loses one in sample2, so the border
 *   is a second try only when the plain pass finds nothing.
 * - After either, each face costs ~40 ms more (face-describe.ts).
 *
 * 'search' (recognize, where latency counts: ≤ 300 ms for a 1 MP one-face photo): Tiny; when it
 * finds exactly one face that is the answer (~150 ms in all). Otherwise SSD, which counts better:
 * its faces when it finds any, else Tiny's, else SSD on the bordered image (a tight crop). A group
 * photo so pays for both detectors (~0.55 s for 3 faces at 1 MP against ~0.47 s enrolling it), for
 * SSD's count: Tiny alone missed one of sample2's three people. A photo of two people where Tiny
 * sees only one is answered with one face: the price of the fast path.
 * 'enroll' (set, which must count "exactly one face" reliably): SSD, then SSD on the bordered image
 * when the first pass finds nothing.
 */

export type FacePurpose = 'enroll' | 'search';

/** A face's box in the pixels of the full (oriented) image, clamped to it, not yet rounded. */
export interface FoundFace {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly score: number;
}

/** The long side detection runs at. */
export const DETECTION_SIDE = 640;
const TINY = { inputSize: 512, scoreThreshold: 0.5 };
const SSD = { minConfidence: 0.5 };
/** The border of the second SSD pass, as a fraction of the long side, on every side. */
const SSD_BORDER = 0.5;
/** No more faces than this are reported for one image (each costs ~40 ms to describe). */
export const MAX_FACES = 100;

type Detector = 'tiny' | 'ssd';

/** The faces of the image (full size, RGB), best first, at most MAX_FACES. */
export async function findFaces(full: RgbImage, purpose: FacePurpose): Promise<FoundFace[]> {
  const { image: small, scale } = await shrinkRgb(full, DETECTION_SIDE);
  const run = (detector: Detector, border = 0) => detectOn(small, scale, detector, border, full);
  const bordered = () => run('ssd', Math.round(SSD_BORDER * Math.max(small.width, small.height)));
  if (purpose === 'enroll') {
    const faces = await run('ssd');
    return faces.length > 0 ? faces : bordered();
  }
  const tiny = await run('tiny');
  if (tiny.length === 1) return tiny;
  const ssd = await run('ssd');
  if (ssd.length > 0) return ssd;
  return tiny.length > 0 ? tiny : bordered();
}

/**
 * Runs the given detector passes on the image with every threshold at 0, so their box decoding and
 * non-max suppression run too (on a face-less image they would return early): for warm-up.
 */
export async function exerciseDetectors(full: RgbImage, passes: readonly ('tiny' | 'ssd' | 'bordered-ssd')[]): Promise<void> {
  const { image: small, scale } = await shrinkRgb(full, DETECTION_SIDE);
  const everything = { tiny: { scoreThreshold: 0 }, ssd: { minConfidence: 0 } };
  const border = Math.round(SSD_BORDER * Math.max(small.width, small.height));
  for (const pass of passes) {
    await detectOn(small, scale, pass === 'tiny' ? 'tiny' : 'ssd', pass === 'bordered-ssd' ? border : 0, full, everything);
  }
}

/** The detector's faces on the (bordered) small image, mapped back to the full image and clamped to it. */
async function detectOn(
  small: RgbImage,
  scale: number,
  detector: Detector,
  border: number,
  full: RgbImage,
  thresholds?: { tiny: { scoreThreshold: number }; ssd: { minConfidence: number } },
): Promise<FoundFace[]> {
  const input = await padRgb(small, border);
  const tensor = tf.tensor3d(input.data, [input.height, input.width, 3], 'int32');
  try {
    const options =
      detector === 'tiny'
        ? new faceapi.TinyFaceDetectorOptions({ ...TINY, ...thresholds?.tiny })
        : new faceapi.SsdMobilenetv1Options({ ...SSD, ...thresholds?.ssd, maxResults: MAX_FACES });
    const detections = await faceapi.detectAllFaces(tensor as unknown as TNetInput, options);
    return (
      detections
        .sort((a, b) => b.score - a.score)
        .slice(0, MAX_FACES)
        .map(({ box, score }) => ({
          left: clamp((box.left - border) / scale, full.width),
          top: clamp((box.top - border) / scale, full.height),
          right: clamp((box.right - border) / scale, full.width),
          bottom: clamp((box.bottom - border) / scale, full.height),
          score,
        }))
        // A box wholly in the border is no face of the image.
        .filter((face) => face.right - face.left >= 1 && face.bottom - face.top >= 1)
    );
  } finally {
    tensor.dispose();
  }
}

const clamp = (value: number, limit: number) => Math.min(limit, Math.max(0, value));
