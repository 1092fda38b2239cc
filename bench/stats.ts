/** Percentile by nearest rank, of a list of milliseconds. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The middle value, or the mean of the two middle ones: with two runs left out of three, their mean. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function timeEach(count: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await run(index);
    samples.push(performance.now() - started);
  }
  return samples;
}

export interface Row {
  readonly measure: string;
  readonly value: string;
  readonly goal?: string;
  readonly verdict?: 'ok' | 'MISSED' | '';
}

export function printTable(title: string, rows: readonly Row[]): void {
  const headers = ['measure', 'value', 'goal', ''];
  const cells = rows.map((row) => [row.measure, row.value, row.goal ?? '', row.verdict ?? '']);
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(headers)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

export const verdict = (ok: boolean): 'ok' | 'MISSED' => (ok ? 'ok' : 'MISSED');
