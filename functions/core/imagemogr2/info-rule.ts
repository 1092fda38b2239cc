import type { InfoStage } from './plan.ts';
import { fail } from './rule-values.ts';

/** `imageInfo` takes nothing: its JSON is the stage's output, so it must be the rule's last stage (parse.ts). */
export function parseInfoStage(tokens: readonly string[]): InfoStage {
  if (tokens.length) fail(`imageInfo takes no parameters, got "${tokens.join('/')}"`);
  return { processor: 'imageInfo', ignoreError: false };
}

export const renderInfoStage = (): string => 'imageInfo';

/** imageInfo's JSON as Tencent's 460/6927 writes it: these keys, in this order, every value a string. */
export const IMAGE_INFO_KEYS = [
  'format',
  'width',
  'height',
  'size',
  'md5',
  'dynamic_range',
  'frame_count',
  'bit_depth',
  'vertical_dpi',
  'horizontal_dpi',
] as const;
export type ImageInfo = Readonly<Record<(typeof IMAGE_INFO_KEYS)[number], string>>;
