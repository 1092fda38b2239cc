import { existsSync, readFileSync } from 'node:fs';

const THP_SETTING = '/sys/kernel/mm/transparent_hugepage/enabled';

/** This kernel's transparent huge page mode (always, madvise or never), the bracketed word; undefined where there is none. */
export const thpMode: string | undefined = existsSync(THP_SETTING) ? /\[(\w+)\]/.exec(readFileSync(THP_SETTING, 'utf8'))?.[1] : undefined;

/** Whether madvise(MADV_HUGEPAGE) is taken here: Linux with THP set to always or madvise. */
export const kernelTakesHugePageAdvice = process.platform === 'linux' && thpMode !== undefined && thpMode !== 'never';
