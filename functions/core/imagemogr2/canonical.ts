import { renderInfoStage } from './info-rule.ts';
import { renderMogrStage } from './mogr-rule.ts';
import type { Plan, Stage } from './plan.ts';
import { renderViewStage } from './view-rule.ts';
import { renderWatermarkStage } from './watermark-rule.ts';

function renderStage(stage: Stage): string {
  switch (stage.processor) {
    case 'imageMogr2':
      return renderMogrStage(stage);
    case 'imageView2':
      return renderViewStage(stage);
    case 'watermark':
      return renderWatermarkStage(stage);
    case 'imageInfo':
      return renderInfoStage();
  }
}

/** The canonical text of a plan: parseRule gives the same plan back from it, whatever spelling the rule used. */
export const canonicalRule = (plan: Plan): string => plan.stages.map(renderStage).join('|');
