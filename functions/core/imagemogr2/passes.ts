import { cropWindow, cutWindow, rotatedSize, thumbnailSize, type Size, type Window } from './geometry.ts';
import { checkIntermediateSize, checkOutputSize } from './limits.ts';
import type { Gravity, MogrStage, Operation, OutputFormat } from './plan.ts';

/** One operation as the executor runs it: the size it takes and the size it leaves. */
export interface Step {
  readonly operation: Operation;
  readonly input: Size;
  readonly output: Size;
  /** The region a crop or cut extracts. */
  readonly window?: Window;
}

/**
 * Operations that share one sharp pipeline. sharp applies its steps in a fixed order (auto-orient,
 * flip/flop, rotate, extract, resize, extract, filters); consecutive operations share one
 * pipeline while that order keeps their meaning, and a new pipeline starts where it would not.
 */
export interface Pass {
  readonly steps: readonly Step[];
}

interface OpenPass {
  readonly steps: Step[];
  lastSlot: number;
  resized: boolean;
  /** sharp may turn a rotation by any angle after its extract and resize (its rotateBefore rules), so what follows one starts a new pass. */
  rotatedFreely: boolean;
}

const SLOTS = {
  autoOrient: 0,
  flipVertical: 1,
  flipHorizontal: 2,
  rotate: 3,
  extractPre: 4,
  resize: 5,
  extractPost: 6,
  filter: 7,
} as const;

function slotOf(operation: Operation, pass: OpenPass): number {
  switch (operation.op) {
    case 'autoOrient':
      return SLOTS.autoOrient;
    case 'flip':
      return operation.direction === 'vertical' ? SLOTS.flipVertical : SLOTS.flipHorizontal;
    case 'rotate':
      return SLOTS.rotate;
    case 'crop':
    case 'cut':
      return pass.resized ? SLOTS.extractPost : SLOTS.extractPre;
    case 'thumbnail':
      return SLOTS.resize;
    default:
      return SLOTS.filter;
  }
}

/** What one operation does to the size; the orientation is the EXIF one its pipeline sees. */
function stepOf(operation: Operation, input: Size, gravity: Gravity, orientation: number): Step {
  switch (operation.op) {
    case 'autoOrient':
      return { operation, input, output: orientation >= 5 ? { width: input.height, height: input.width } : input };
    case 'rotate':
      return { operation, input, output: rotatedSize(input, operation.degrees % 360) };
    case 'crop':
    case 'cut': {
      const window =
        operation.op === 'crop'
          ? cropWindow(operation.spec, gravity, input.width, input.height)
          : cutWindow(operation, input.width, input.height);
      return { operation, input, output: { width: window.width, height: window.height }, window };
    }
    case 'thumbnail':
      return { operation, input, output: thumbnailSize(operation.spec, input.width, input.height) };
    default:
      return { operation, input, output: input };
  }
}

const sameSize = (a: Size, b: Size) => a.width === b.width && a.height === b.height;

/**
 * Splits a stage into passes and follows the size through every operation, refusing before any
 * pixel is decoded a crop outside the image, a thumbnail over the output limit, and any image
 * an operation makes larger than an input may be. Only the first pass sees the input's EXIF
 * orientation: later ones start from raw pixels.
 */
export function planPasses(stage: MogrStage, start: Size, orientation: number, format: OutputFormat): Pass[] {
  const passes: OpenPass[] = [];
  const open = (): OpenPass => ({ steps: [], lastSlot: -1, resized: false, rotatedFreely: false });
  let pass = open();
  let size = start;
  for (const operation of stage.operations) {
    const slot = slotOf(operation, pass);
    if (slot <= pass.lastSlot || pass.rotatedFreely || (slot === SLOTS.autoOrient && passes.length > 0)) {
      passes.push(pass);
      pass = open();
    }
    const step = stepOf(operation, size, stage.gravity, passes.length === 0 ? orientation : 1);
    if (operation.op === 'thumbnail') checkOutputSize(step.output, format);
    // An operation that keeps the size holds what came in, which the decoder's own limit covers.
    if (!sameSize(step.output, size)) checkIntermediateSize(step.output);
    pass.steps.push(step);
    if (operation.op === 'thumbnail' && !sameSize(step.output, size)) pass.resized = true;
    if (operation.op === 'rotate' && operation.degrees % 90 !== 0) pass.rotatedFreely = true;
    pass.lastSlot = slotOf(operation, pass) === SLOTS.extractPost ? SLOTS.extractPost : slot;
    size = step.output;
  }
  passes.push(pass);
  return passes;
}
