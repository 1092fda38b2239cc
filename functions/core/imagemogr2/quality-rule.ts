import type { QualitySetting } from './plan.ts';
import { fail, integer } from './rule-values.ts';

/** The names a processor gives its three quality parameters (Tencent's quality/rquality/lquality rules). */
export interface QualityNames {
  readonly absolute: string;
  readonly relative: string;
  readonly floor: string;
}

export const MOGR_QUALITY: QualityNames = { absolute: 'quality', relative: 'rquality', floor: 'lquality' };
export const VIEW_QUALITY: QualityNames = { absolute: 'q', relative: 'rq', floor: 'lq' };

/** `<absolute>/<Q>[!]`, `<relative>/<q>` or `<floor>/<q>`, each 1–100. */
export function parseQuality(names: QualityNames, name: string, value: string): QualitySetting {
  if (name === names.absolute) {
    const match = /^(\d+)(!?)$/.exec(value);
    if (!match) fail(`${name} "${value}" is not <1-100> or <1-100>!`);
    return { mode: match![2] ? 'forced' : 'absolute', value: integer(match![1]!, name, 1, 100) };
  }
  return { mode: name === names.relative ? 'relative' : 'floor', value: integer(value, name, 1, 100) };
}

/** The canonical text of a quality setting, in a processor's names. */
export const renderQuality = (names: QualityNames, quality: QualitySetting): string =>
  quality.mode === 'forced' ? `${names.absolute}/${quality.value}!` : `${names[quality.mode]}/${quality.value}`;
