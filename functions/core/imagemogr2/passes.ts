import {
  cropWindow,
  cutWindow,
  maskWindow,
  paddedThumbnail,
  rotatedSize,
  scropScale,
  thumbnailSize,
  type Size,
  type Window,
} from './geometry.ts';
import { checkIntermediateSize, checkOutputSize } from './limits.ts';
import type { MogrStage, Operation, OutputFormat } from './plan.ts';

/** One operation as the executor runs it: the size it takes and the size it leaves. */
export interface Step {
  readonly operation: Operation;
  readonly input: Size;
  readonly output: Size;
  /** The region a crop, cut or iradius extracts. */
  readonly window?: Window;
  /** Where a padded thumbnail's image sits in its box (the output). */
  readonly placed?: Window;
  /** The size a scrop scales to, covering its box, before cutting the box out. */
  readonly scaled?: Size;
}

/**
 * Operations that share one sharp pipeline. sharp applies its steps in a fixed order (auto-orient,
 * flip/flop, rotate, extract, resize, extend, extract, blur/sharpen, composite, linear/grayscale);
 * consecutive operations share one pipeline while that order keeps their meaning, and a new
 * pipeline starts where it would not.
 */
export interface Pass {
  readonly steps: readonly Step[];
}

/** What a stage's planning knows of its input. */
export interface PassInput extends Size {
  /** The EXIF orientation the first pipeline sees. */
  readonly orientation: number;
  /** sharp's name of the input's format. */
  readonly format: string;
  /** Frames decoded and processed: an animation kept animated is held whole. */
  readonly frames: number;
}

interface OpenPass {
  readonly steps: Step[];
  lastSlot: number;
  resized: boolean;
  /** sharp may turn a rotation by any angle after its extract and resize (its rotateBefore rules); a mask is composited last. What follows either starts a new pass. */
  closed: boolean;
}

const SLOTS = {
  autoOrient: 0,
  flipVertical: 1,
  flipHorizontal: 2,
  rotate: 3,
  extractPre: 4,
  resize: 5,
  extend: 6,
  extractPost: 7,
  convolve: 8,
  composite: 9,
  tone: 10,
} as const;

/** The first and the last of sharp's slots an operation uses. */
function slotsOf(operation: Operation, pass: OpenPass, stage: MogrStage): [number, number] {
  const extract = pass.resized ? SLOTS.extractPost : SLOTS.extractPre;
  switch (operation.op) {
    case 'autoOrient':
      return [SLOTS.autoOrient, SLOTS.autoOrient];
    case 'flip':
      return operation.direction === 'vertical' ? [SLOTS.flipVertical, SLOTS.flipVertical] : [SLOTS.flipHorizontal, SLOTS.flipHorizontal];
    case 'rotate':
      return [SLOTS.rotate, SLOTS.rotate];
    case 'crop':
    case 'cut':
      return [extract, extract];
    case 'thumbnail':
      return [SLOTS.resize, stage.pad && operation.spec.kind === 'fit' ? SLOTS.extend : SLOTS.resize];
    case 'scrop':
      return [SLOTS.resize, SLOTS.resize];
    case 'iradius':
      return [extract, SLOTS.composite];
    case 'rradius':
      return [SLOTS.composite, SLOTS.composite];
    case 'blur':
    case 'sharpen':
      return [SLOTS.convolve, SLOTS.convolve];
    case 'grayscale':
    case 'bright':
    case 'contrast':
      return [SLOTS.tone, SLOTS.tone];
  }
}

/** What one operation does to the size; the orientation is the EXIF one its pipeline sees. */
function stepOf(operation: Operation, input: Size, stage: MogrStage, orientation: number): Step {
  switch (operation.op) {
    case 'autoOrient':
      return { operation, input, output: orientation >= 5 ? { width: input.height, height: input.width } : input };
    case 'rotate':
      return { operation, input, output: rotatedSize(input, operation.degrees % 360) };
    case 'crop':
    case 'cut':
    case 'iradius': {
      const window =
        operation.op === 'crop'
          ? cropWindow(operation.spec, stage.gravity, input.width, input.height)
          : operation.op === 'cut'
            ? cutWindow(operation, input.width, input.height)
            : maskWindow(operation, input);
      return { operation, input, output: { width: window.width, height: window.height }, window };
    }
    case 'rradius':
      maskWindow(operation, input);
      return { operation, input, output: input };
    case 'thumbnail': {
      if (stage.pad && operation.spec.kind === 'fit') {
        const placed = paddedThumbnail(operation.spec, input);
        return { operation, input, output: { width: operation.spec.width, height: operation.spec.height }, placed };
      }
      return { operation, input, output: thumbnailSize(operation.spec, input.width, input.height) };
    }
    case 'scrop':
      return { operation, input, output: { width: operation.width, height: operation.height }, scaled: scropScale(operation, input) };
    default:
      return { operation, input, output: input };
  }
}

const sameSize = (a: Size, b: Size) => a.width === b.width && a.height === b.height;

/**
 * Splits a stage into passes and follows the size through every operation, refusing before any
 * pixel is decoded a crop outside the image, a radius too large for it, a thumbnail over the
 * output limit, and any image an operation makes larger than an input may be. Only the first pass
 * sees the input's EXIF orientation: later ones start from raw pixels.
 */
export function planPasses(stage: MogrStage, input: PassInput, format: OutputFormat): Pass[] {
  const passes: OpenPass[] = [];
  const open = (): OpenPass => ({ steps: [], lastSlot: -1, resized: false, closed: false });
  let pass = open();
  let size: Size = { width: input.width, height: input.height };
  for (const operation of stage.operations) {
    const [first] = slotsOf(operation, pass, stage);
    if (first <= pass.lastSlot || pass.closed || (first === SLOTS.autoOrient && passes.length > 0)) {
      passes.push(pass);
      pass = open();
    }
    const step = stepOf(operation, size, stage, passes.length === 0 ? input.orientation : 1);
    if (operation.op === 'thumbnail' || operation.op === 'scrop') checkOutputSize(step.output, format);
    // An operation that keeps the size holds what came in, which the decoder's own limit covers.
    if (!sameSize(step.output, size)) checkIntermediateSize(step.output, input.frames);
    if (step.scaled) checkIntermediateSize(step.scaled, input.frames);
    pass.steps.push(step);
    if ((operation.op === 'thumbnail' || operation.op === 'scrop') && !sameSize(step.output, size)) pass.resized = true;
    pass.closed = (operation.op === 'rotate' && operation.degrees % 90 !== 0) || operation.op === 'iradius' || operation.op === 'rradius';
    pass.lastSlot = slotsOf(operation, pass, stage)[1];
    size = step.output;
  }
  passes.push(pass);
  return passes;
}
