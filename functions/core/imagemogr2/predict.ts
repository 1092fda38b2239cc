import type { ImageHeader } from './image-header.ts';
import { planStage } from './output-size.ts';
import type { Plan, Stage } from './plan.ts';

/** The header of one stage's output, from its input's header alone; throws what running the stage would. */
function predictStage(stage: Stage, input: ImageHeader): ImageHeader {
  switch (stage.processor) {
    case 'imageMogr2':
      return planStage(stage, input).output;
    default:
      return input;
  }
}

/**
 * The header of every stage's output, from the input's header alone, as the executor will
 * produce them; throws the first error running the plan would meet. A failing stage marked
 * ignore-error passes its input on, as it does when run.
 */
export function predictOutputs(plan: Plan, input: ImageHeader): ImageHeader[] {
  const outputs: ImageHeader[] = [];
  let current = input;
  for (const stage of plan.stages) {
    try {
      current = predictStage(stage, current);
    } catch (error) {
      if (!stage.ignoreError) throw error;
    }
    outputs.push(current);
  }
  return outputs;
}
