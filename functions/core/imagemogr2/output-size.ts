import { outputFormatOf, type ImageHeader } from './image-header.ts';
import { checkOutputSize } from './limits.ts';
import { planPasses, type Pass } from './passes.ts';
import type { MogrStage, OutputFormat } from './plan.ts';

export interface StagePlan {
  readonly format: OutputFormat;
  readonly passes: readonly Pass[];
  /** Only a stage run as one sharp pipeline can carry its input's metadata (EXIF and all) over. */
  readonly keepsMetadata: boolean;
  /** The header the next stage will read from this stage's output. */
  readonly output: ImageHeader;
}

/** sharp's name for a format Tessera writes, as a header read back from it says. */
const HEADER_FORMAT: Partial<Record<OutputFormat, string>> = { jpg: 'jpeg', avif: 'heif' };

/**
 * Plans one stage on an input with this header, and throws, before any pixel is decoded, what
 * running it would: a crop or cut outside the image, a size over the limits.
 */
export function planStage(stage: MogrStage, input: ImageHeader): StagePlan {
  const format = outputFormatOf(stage, input);
  const passes = planPasses(stage, input, input.orientation, format);
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
    output: {
      width: size.width,
      height: size.height,
      format: HEADER_FORMAT[format] ?? format,
      orientation: orientationKept ? input.orientation : 1,
    },
  };
}
