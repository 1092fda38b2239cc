import { outputFormatOf, type ImageHeader } from './image-header.ts';
import { checkOutputSize } from './limits.ts';
import { planStage } from './output-size.ts';
import type { Plan, Stage } from './plan.ts';
import { viewSize } from './view-size.ts';

/** sharp's name for a format Tessera writes, as a header read back from it says. */
const headerFormat = (format: string) => (format === 'jpg' ? 'jpeg' : format === 'avif' ? 'heif' : format);

/** The header of one stage's output, from its input's header alone; throws what running the stage would. */
function predictStage(stage: Stage, input: ImageHeader): ImageHeader {
  switch (stage.processor) {
    case 'imageMogr2':
      return planStage(stage, input).output;
    case 'imageView2': {
      const format = outputFormatOf(stage, input);
      const size = viewSize(stage, input);
      checkOutputSize(size, format);
      // The stage keeps its input's metadata; a header read back finds an EXIF orientation in JPEG only.
      return { ...size, format: headerFormat(format), orientation: format === 'jpg' || format === 'jpeg' ? input.orientation : 1 };
    }
    case 'watermark': {
      // The mark goes on the image as it is shown, so the stage turns it upright first; an animation keeps its frames.
      const size = input.orientation >= 5 ? { width: input.height, height: input.width } : input;
      const format = outputFormatOf({}, input);
      checkOutputSize(size, format);
      const frames = input.frames && (format === 'gif' || format === 'webp') ? { frames: input.frames } : {};
      return { width: size.width, height: size.height, format: headerFormat(format), orientation: 1, ...frames };
    }
    case 'imageInfo':
      return { ...input, format: 'json' };
  }
}

/**
 * The headers a stage may leave: its output's, and its input's too where the stage may hand its
 * input back (minisize, size-limit's `!`), which depends on encoded bytes no header shows.
 */
function possibleOutputs(stage: Stage, input: ImageHeader): ImageHeader[] {
  const output = predictStage(stage, input);
  const mayKeepInput = stage.processor === 'imageMogr2' && (stage.minisize || stage.sizeLimit?.keepSmallerInput);
  return mayKeepInput ? [output, input] : [output];
}

const sameHeader = (a: ImageHeader, b: ImageHeader) =>
  a.width === b.width && a.height === b.height && a.format === b.format && a.orientation === b.orientation && a.frames === b.frames;

/**
 * The header of every stage's output, from the input's header alone, as the executor will
 * produce them; throws the first error running the plan could meet. A failing stage marked
 * ignore-error passes its input on, as it does when run. Where a stage may hand its input back,
 * the stages after it are checked on both headers, so no rule accepted here fails later for a
 * reason a header shows.
 */
export function predictOutputs(plan: Plan, input: ImageHeader): ImageHeader[] {
  const outputs: ImageHeader[] = [];
  let possible = [input];
  for (const stage of plan.stages) {
    const next: ImageHeader[] = [];
    for (const header of possible) {
      let candidates = [header];
      try {
        candidates = possibleOutputs(stage, header);
      } catch (error) {
        if (!stage.ignoreError) throw error;
      }
      for (const candidate of candidates) if (!next.some((known) => sameHeader(known, candidate))) next.push(candidate);
    }
    possible = next;
    outputs.push(possible[0]!);
  }
  return outputs;
}
