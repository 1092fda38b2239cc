import { invalidInput } from '../errors.ts';
import { framesOf, outputFormatOf, type ImageHeader } from './image-header.ts';
import { checkAnimation, checkOutputSize } from './limits.ts';
import { cgifFrames } from './mogr-settings.ts';
import { planPasses, type Pass } from './passes.ts';
import type { MogrStage, OutputFormat } from './plan.ts';

export interface StagePlan {
  readonly format: OutputFormat;
  readonly passes: readonly Pass[];
  /** Only a stage run as one sharp pipeline can carry its input's metadata (EXIF and all) over. */
  readonly keepsMetadata: boolean;
  /** Frames the output holds: an animation stays one where the output format can animate, cut down by cgif; else its first frame. */
  readonly frames: number;
  /** The header the next stage will read from this stage's output. */
  readonly output: ImageHeader;
}

/** sharp's name for a format Tessera writes, as a header read back from it says. */
const HEADER_FORMAT: Partial<Record<OutputFormat, string>> = { jpg: 'jpeg', avif: 'heif' };

const ANIMATED_FORMATS: ReadonlySet<OutputFormat> = new Set(['gif', 'webp']);

/** Tencent: "图片格式为 gif 时，不支持该参数" for iradius and rradius. */
function refuseMasksOnGif(stage: MogrStage, input: ImageHeader): void {
  const mask = stage.operations.find((operation) => operation.op === 'iradius' || operation.op === 'rradius');
  if (mask && input.format === 'gif') throw invalidInput(`${mask.op} does not apply to GIF images`);
}

function outputFrames(stage: MogrStage, input: ImageHeader, format: OutputFormat): number {
  const frames = framesOf(input);
  if (frames === 1 || !ANIMATED_FORMATS.has(format)) return 1;
  return stage.cgif === undefined ? frames : Math.min(frames, cgifFrames(stage.cgif));
}

/**
 * Plans one stage on an input with this header, and throws, before any pixel is decoded, what
 * running it would: a crop, cut or radius that does not fit the image, a size or frame count
 * over the limits, an operation the input's format does not take.
 */
export function planStage(stage: MogrStage, input: ImageHeader): StagePlan {
  const format = outputFormatOf(stage, input);
  if (framesOf(input) > 1) checkAnimation(input, framesOf(input));
  refuseMasksOnGif(stage, input);
  const frames = outputFrames(stage, input, format);
  const passes = planPasses(stage, { ...input, frames }, format);
  const size = passes.flatMap((pass) => pass.steps).at(-1)?.output ?? input;
  checkOutputSize(size, format);
  const keepsMetadata = !stage.strip && passes.length === 1;
  // The header is read with image-size, which finds an EXIF orientation in JPEG only; sharp's
  // auto-orient resets the one it applied.
  const orientationKept =
    keepsMetadata && (format === 'jpg' || format === 'jpeg') && !stage.operations.some((operation) => operation.op === 'autoOrient');
  return {
    format,
    passes,
    keepsMetadata,
    frames,
    output: {
      width: size.width,
      height: size.height,
      format: HEADER_FORMAT[format] ?? format,
      orientation: orientationKept ? input.orientation : 1,
      ...(frames > 1 ? { frames } : {}),
    },
  };
}
