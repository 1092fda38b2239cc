import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../console/build.ts';
import { PROJECT_ROOT } from '../infra/group-entries.ts';
import { verdict, type Row } from './stats.ts';

/** Issue 15's goal: the console's own code, gzip, without Pannellum. */
const GOAL_BYTES = 200 * 1024;
const OUT_DIR = `${PROJECT_ROOT}.bench/console`;

/** Builds the console as `npm start` and the stack do, and weighs what a browser downloads, gzip (level 9). */
export async function benchConsole(): Promise<Row[]> {
  const dir = await buildConsole(OUT_DIR);
  const files = ['index.html', ...readdirSync(join(dir, 'assets')).map((name) => `assets/${name}`)];
  const gzip = (name: string) => gzipSync(readFileSync(join(dir, name)), { level: 9 }).length;
  const pannellum = files.filter((name) => name.startsWith('assets/pannellum'));
  const own = files.filter((name) => !pannellum.includes(name));
  const ownBytes = own.reduce((sum, name) => sum + gzip(name), 0);
  const pannellumBytes = pannellum.reduce((sum, name) => sum + gzip(name), 0);
  return [
    {
      measure: `console bundle, gzip, without Pannellum (${own.length} files)`,
      value: `${(ownBytes / 1024).toFixed(1)} KiB`,
      goal: '≤ 200 KB',
      verdict: verdict(ownBytes <= GOAL_BYTES),
    },
    {
      measure: 'Pannellum (loaded only on a panorama page), gzip',
      value: `${(pannellumBytes / 1024).toFixed(1)} KiB`,
      goal: '—',
      verdict: '',
    },
  ];
}
