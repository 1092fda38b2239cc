import { mkdirSync, writeFileSync } from 'node:fs';
import { startLocalStack } from '../local/local-stack.ts';
import { measureBundles } from './bundles.ts';
import { benchCiJobs } from './ci.ts';
import { benchConsole } from './console.ts';
import { benchImageMogr2 } from './imagemogr2.ts';
import { benchKmp } from './kmp.ts';
import { benchLargeBodies } from './large-bodies.ts';
import { benchOst } from './ost.ts';
import { benchPanorama } from './panorama.ts';
import { benchPanoramaFidelity } from './panorama-fidelity.ts';
import { benchStorage } from './storage.ts';
import { benchVision } from './vision.ts';
import { ms, printTable, verdict, type Row } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const SECRET = 'bench-secret';
const APP_ID = 'tcbench0000000000001';
const only = new Set((process.env.BENCH_ONLY ?? 'storage,ost,ci,kmp,vision,large,imagemogr2,panorama,fidelity,console,bundles').split(','));
const results: Record<string, Row[]> = {};

const stack = await startLocalStack({ demo: { clientId: APP_ID, secret: SECRET, namespace: 'bench' } });
try {
  if (only.has('storage')) results.storage = await benchStorage(stack, SECRET, ROUNDS);
  if (only.has('ost')) results.ost = await benchOst(stack, APP_ID, SECRET);
  if (only.has('ci')) results.ci = await benchCiJobs(stack, APP_ID, SECRET);
  if (only.has('kmp')) results.kmp = await benchKmp(stack, ROUNDS);
  if (only.has('vision')) results.vision = await benchVision(stack, APP_ID, SECRET);
} finally {
  await stack.stop();
}

if (only.has('large')) results.large = await benchLargeBodies();
if (only.has('imagemogr2')) results.imagemogr2 = await benchImageMogr2();
if (only.has('panorama')) results.panorama = await benchPanorama();
if (only.has('fidelity')) results.fidelity = await benchPanoramaFidelity();
if (only.has('console')) results.console = await benchConsole();

if (only.has('bundles')) {
  results.bundles = (await measureBundles()).flatMap((bundle) => [
    {
      measure: `bundle "${bundle.group}", minified`,
      value: `${(bundle.bytes / 1024).toFixed(0)} KiB`,
      goal: '≤ 1 MB',
      verdict: verdict(bundle.bytes <= 1_000_000),
    },
    {
      measure: `bundle "${bundle.group}", module load p50`,
      value: ms(bundle.loadMs),
      goal: '≤ 150 ms',
      verdict: verdict(bundle.loadMs <= 150),
    },
  ]);
}

console.log(`Tessera bench: node ${process.version}, ${new Date().toISOString()}, ${ROUNDS} rounds for latencies`);
for (const [section, rows] of Object.entries(results)) printTable(section, rows);
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
process.exit(0);
