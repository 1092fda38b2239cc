import sharp from 'sharp';
import type { TNetInput } from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { faceapi, tf } from './face-runtime.ts';
import type { RgbImage } from './face-image.ts';
import type { FoundFace } from './face-detectors.ts';

/**
 * What a found face looks like in numbers: 68 landmarks, then the 128-D descriptor of the face
 * aligned on them (and, when asked, age, gender and expressions), all computed on a "chip" cut
 * from the full-resolution image: the face box with half its size around it (room for the
 * alignment's rotation), scaled down with sharp's lanczos3 until the face is at most 150 px (the
 * descriptor net's input; never enlarged).
 *
 * Why a chip, measured on face-api's sample1 (1920 px, faces ≈ 280 px), distances between the same
 * face found by Tiny and by SSD / in the photo re-encoded at 800 px q40: descriptors from the
 * 640-px detection image 0.12–0.21 / 0.19–0.27; from the full image (tfjs' bilinear resize, which
 * aliases when it shrinks) 0.10–0.21 / 0.19–0.23; from chips 0.08–0.16 / 0.19. Closest pair of
 * different people in the six samples: 0.43 from the 640-px image, 0.49 from the full image and
 * from chips. Time for a 1 MP photo: ~40 ms a face with chips, like the 640-px image; ~70 ms
 * a face (1 face) to 75 ms (3 faces) from the full image.
 */

export type Expression = 'neutral' | 'happy' | 'sad' | 'angry' | 'fearful' | 'disgusted' | 'surprised';
export const EXPRESSIONS: readonly Expression[] = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];

export interface FaceAttributes {
  readonly age: number;
  readonly gender: 'male' | 'female';
  readonly genderProbability: number;
  readonly expressions: Readonly<Record<Expression, number>>;
}

export interface FaceDescription {
  readonly descriptor: Float32Array;
  readonly attributes?: FaceAttributes;
}

const CHIP_FACE_SIDE = 150;
const CHIP_MARGIN = 0.5;

/** The descriptor (and attributes, when asked) of each face, in order. */
export async function describeFaces(full: RgbImage, faces: readonly FoundFace[], attributes: boolean): Promise<FaceDescription[]> {
  const descriptions: FaceDescription[] = [];
  for (const face of faces) descriptions.push(await describeFace(full, face, attributes));
  return descriptions;
}

/**
 * Each detector boxes a face its own way (Tiny's boxes are looser than SSD's), and the landmarks,
 * hence the aligned face and its descriptor, follow the box: the same face found by SSD at `set`
 * and by Tiny at `recognize` was 0.22–0.29 apart on sample1's crops, half the match threshold.
 * So the box is redrawn from the face itself: landmarks on the detector's box, then a square
 * around them, on which the descriptor is computed. Both detectors then describe a face alike.
 */
async function describeFace(full: RgbImage, face: FoundFace, attributes: boolean): Promise<FaceDescription> {
  return describeOnBox(full, await landmarkBox(full, face), attributes);
}

/** The side of the square drawn around the 68 landmarks, over the larger of their extents (brows to chin, jaw to jaw). */
const LANDMARK_BOX_SCALE = 1.2;

async function landmarkBox(full: RgbImage, face: FoundFace): Promise<FoundFace> {
  const { chip, box, origin, size } = await cutChip(full, face);
  const tensor = tf.tensor3d(chip.data, [chip.height, chip.width, 3], 'int32');
  try {
    const detection = new faceapi.FaceDetection(face.score, new faceapi.Rect(box.x, box.y, box.width, box.height), {
      width: chip.width,
      height: chip.height,
    });
    const [result] = await new faceapi.DetectAllFaceLandmarksTask(
      Promise.resolve([{ detection }]),
      tensor as unknown as TNetInput,
      false,
    ).run();
    const points = required(result).landmarks.positions.map((point) => ({
      x: origin.x + (point.x / chip.width) * size.width,
      y: origin.y + (point.y / chip.height) * size.height,
    }));
    const xs = points.map((point) => point.x);
    const ys = points.map((point) => point.y);
    const side = LANDMARK_BOX_SCALE * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    const centreX = (Math.max(...xs) + Math.min(...xs)) / 2;
    const centreY = (Math.max(...ys) + Math.min(...ys)) / 2;
    return {
      score: face.score,
      left: Math.round(centreX - side / 2),
      top: Math.round(centreY - side / 2),
      right: Math.round(centreX + side / 2),
      bottom: Math.round(centreY + side / 2),
    };
  } finally {
    tensor.dispose();
  }
}

async function describeOnBox(full: RgbImage, face: FoundFace, attributes: boolean): Promise<FaceDescription> {
  const { chip, box } = await cutChip(full, face);
  const tensor = tf.tensor3d(chip.data, [chip.height, chip.width, 3], 'int32');
  try {
    const detection = new faceapi.FaceDetection(face.score, new faceapi.Rect(box.x, box.y, box.width, box.height), {
      width: chip.width,
      height: chip.height,
    });
    // face-api's own chain, from a detection made elsewhere: landmarks on the box, then each net on the face aligned by them.
    const landmarks = new faceapi.DetectAllFaceLandmarksTask(Promise.resolve([{ detection }]), tensor as unknown as TNetInput, false);
    if (!attributes) {
      const [result] = await landmarks.withFaceDescriptors();
      return { descriptor: required(result).descriptor };
    }
    const [result] = await landmarks.withFaceExpressions().withAgeAndGender().withFaceDescriptors();
    const { descriptor, age, gender, genderProbability, expressions } = required(result);
    return {
      descriptor,
      attributes: {
        age,
        gender: gender === 'female' ? 'female' : 'male',
        genderProbability,
        expressions: Object.fromEntries(EXPRESSIONS.map((name) => [name, expressions[name]])) as Record<Expression, number>,
      },
    };
  } finally {
    tensor.dispose();
  }
}

function required<T>(result: T | undefined): T {
  if (result === undefined) throw new Error('face-api returned no landmarks for a detected face');
  return result;
}

/** The chip around a face and the face's box in it, relative to the chip (0..1). */
async function cutChip(full: RgbImage, face: FoundFace) {
  const width = face.right - face.left;
  const height = face.bottom - face.top;
  // The region wanted, which may reach past the image's edges (a face at the edge, a tight crop):
  // what lies outside is made by repeating the edge pixels. Clipping it instead (face-api's way)
  // squeezes the aligned face: for sample1's middle face cut tight, the distance to the same face
  // in the whole photo was 0.44 clipped (and 0.45 to her neighbour!), 0.16 with edges repeated
  // (0.65–0.68 to the others); a grey border gave 0.20, a mirrored one 0.18.
  const want = {
    left: Math.floor(face.left - CHIP_MARGIN * width),
    top: Math.floor(face.top - CHIP_MARGIN * height),
    right: Math.ceil(face.right + CHIP_MARGIN * width),
    bottom: Math.ceil(face.bottom + CHIP_MARGIN * height),
  };
  const left = Math.max(0, want.left);
  const top = Math.max(0, want.top);
  const right = Math.min(full.width, want.right);
  const bottom = Math.min(full.height, want.bottom);
  const scale = Math.min(1, CHIP_FACE_SIDE / Math.max(width, height));
  let pipeline = sharp(full.data, { raw: { width: full.width, height: full.height, channels: 3 } }).extract({
    left,
    top,
    width: right - left,
    height: bottom - top,
  });
  let origin = { x: left, y: top };
  let size = { width: right - left, height: bottom - top };
  if (left > want.left || top > want.top || right < want.right || bottom < want.bottom) {
    const { data, info } = await pipeline
      .extend({
        left: left - want.left,
        top: top - want.top,
        right: want.right - right,
        bottom: want.bottom - bottom,
        extendWith: 'copy',
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
    origin = { x: want.left, y: want.top };
    size = { width: want.right - want.left, height: want.bottom - want.top };
  }
  const { data, info } = await pipeline
    .resize(Math.max(1, Math.round(size.width * scale)), Math.max(1, Math.round(size.height * scale)), { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const chip = { data, width: info.width, height: info.height };
  const x = (face.left - origin.x) / size.width;
  const y = (face.top - origin.y) / size.height;
  return {
    chip,
    origin,
    size,
    box: { x, y, width: Math.min(1 - x, width / size.width), height: Math.min(1 - y, height / size.height) },
  };
}
