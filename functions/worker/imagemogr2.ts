import sharp from 'sharp';
import { readImageHeader } from '../core/imagemogr2/image-header.ts';
import type { Plan, Stage } from '../core/imagemogr2/plan.ts';
import { predictOutputs } from '../core/imagemogr2/predict.ts';
import type { ImageResult } from './image-result.ts';
import { runInfoStage } from './image-info.ts';
import { runMogrStage } from './mogr-stage.ts';
import { runViewStage } from './view-stage.ts';
import { runWatermarkStage } from './watermark-stage.ts';

/** What a plan may read besides its input: the objects its watermarks name. */
export interface PlanSources {
  readonly readObject: (reference: string) => Promise<Buffer>;
}

const NO_SOURCES: PlanSources = {
  readObject: (reference) => Promise.reject(new Error(`no object source for ${reference}`)),
};

function runStage(input: Buffer, stage: Stage, sources: PlanSources): Promise<ImageResult> {
  switch (stage.processor) {
    case 'imageMogr2':
      return runMogrStage(input, stage);
    case 'imageView2':
      return runViewStage(input, stage);
    case 'watermark':
      return runWatermarkStage(input, stage, sources);
    case 'imageInfo':
      return runInfoStage(input);
  }
}

/**
 * Runs a plan on an image: each stage on the previous stage's output. A stage marked
 * ignore-error that fails passes its input on unchanged (Qiniu's documented behaviour). A plan
 * that must fail fails from the input's header, before any pixel is decoded.
 */
export async function executePlan(input: Buffer, plan: Plan, sources: PlanSources = NO_SOURCES): Promise<ImageResult> {
  // The same prediction as at submit, so an input replaced since then fails before decoding.
  const header = readImageHeader(input);
  if (header) predictOutputs(plan, header);
  let current = input;
  let result: ImageResult | undefined;
  for (const stage of plan.stages) {
    try {
      result = await runStage(current, stage, sources);
      current = result.data;
    } catch (error) {
      if (!stage.ignoreError) throw error;
      const metadata = await sharp(current)
        .metadata()
        .catch(() => undefined);
      result = {
        data: current,
        format: metadata?.format ?? 'unknown',
        width: metadata?.width ?? 0,
        height: metadata?.height ?? 0,
        size: current.length,
      };
    }
  }
  return result!;
}
