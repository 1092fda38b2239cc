import { invalidInput } from '../errors.ts';
import { parseInfoStage } from './info-rule.ts';
import { parseMogrStage } from './mogr-rule.ts';
import type { Plan, Stage } from './plan.ts';
import { CONTROL_CHARACTERS, RuleProblem } from './rule-values.ts';
import { parseViewStage } from './view-rule.ts';
import { parseWatermarkStage } from './watermark-rule.ts';

export const MAX_STAGES = 10;

/** Each processor reachable in a rule, and the parser of the `/`-separated tokens after its name. */
const PROCESSORS: Record<string, (tokens: readonly string[], index: number) => Stage> = {
  imageMogr2: parseMogrStage,
  imageView2: parseViewStage,
  watermark: parseWatermarkStage,
  imageInfo: parseInfoStage,
};

const refuse = (processor: string, message: string): never => {
  throw invalidInput(`invalid ${processor} rule: ${message}`);
};

function parseStage(text: string, index: number): Stage {
  const [processor = '', ...tokens] = text.split('/');
  while (tokens.length && tokens.at(-1) === '') tokens.pop();
  const parser = Object.hasOwn(PROCESSORS, processor) ? PROCESSORS[processor] : undefined;
  if (!parser) {
    return refuse(
      'imageMogr2',
      `stage ${index + 1} uses processor "${processor || '(empty)'}"; the processors are ${Object.keys(PROCESSORS).join(', ')}`,
    );
  }
  try {
    return parser(tokens, index);
  } catch (error) {
    if (error instanceof RuleProblem) return refuse(processor, error.message);
    throw error;
  }
}

/**
 * Parses a rule (stages joined by `|`, at most 10) into a plan, or throws a precise message, so a
 * bad rule is refused when the job is submitted, not when it runs.
 */
export function parseRule(rule: string): Plan {
  if (typeof rule !== 'string' || rule.trim() === '') refuse('imageMogr2', 'the rule is empty');
  if (/\s/.test(rule)) refuse('imageMogr2', 'a rule contains no spaces or line breaks');
  if (CONTROL_CHARACTERS.test(rule)) refuse('imageMogr2', 'a rule contains no control characters');
  if (rule.length > 4096) refuse('imageMogr2', 'the rule is longer than 4096 characters');
  const parts = rule.split('|');
  if (parts.length > MAX_STAGES) refuse('imageMogr2', `at most ${MAX_STAGES} stages may be joined with "|", got ${parts.length}`);
  const stages = parts.map(parseStage);
  const info = stages.findIndex((stage) => stage.processor === 'imageInfo');
  if (info !== -1 && info < stages.length - 1) {
    refuse('imageInfo', `imageInfo writes JSON, not an image, so it must be the last stage; stage ${info + 2} follows it`);
  }
  return { rule, stages };
}
