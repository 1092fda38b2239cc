import { renderMogrStage } from './mogr-rule.ts';
import type { Plan, Stage } from './plan.ts';

function renderStage(stage: Stage): string {
  switch (stage.processor) {
    case 'imageMogr2':
      return renderMogrStage(stage);
    default:
      throw new Error(`no canonical form for ${stage.processor} yet`);
  }
}

/** The canonical text of a plan: parseRule gives the same plan back from it, whatever spelling the rule used. */
export const canonicalRule = (plan: Plan): string => plan.stages.map(renderStage).join('|');
