import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { startLocalStack } from '../local/local-stack.ts';
import type { HttpEvent, HttpHandler } from '../functions/http/http-handler.ts';
import { measureBundles } from './bundles.ts';
import { ms, percentile, printTable, timeEach, type Row } from './stats.ts';

const SECRET = 'bench-secret';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 29_000 } as Context;

const stack = await startLocalStack({ demo: { secret: SECRET, namespace: 'bench' } });
const rows: Row[] = [];
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

try {
  const payload = randomBytes(100 * 1024);
  const uploadForm = (index: number) => {
    const form = new FormData();
    form.append('secret_key', SECRET);
    form.append('filename', `bench/upload-${index % 20}.bin`);
    form.append('overwrite', '1');
    form.append('filedata', new Blob([payload]), 'payload.bin');
    return form;
  };
  await timeEach(20, (index) => fetch(`${stack.url}/upload`, { method: 'POST', body: uploadForm(index) }).then((r) => r.arrayBuffer()));
  const uploads = await timeEach(ROUNDS, (index) =>
    fetch(`${stack.url}/upload`, { method: 'POST', body: uploadForm(index) }).then((r) => r.arrayBuffer()),
  );
  rows.push({ measure: 'POST /upload 100 KB, p50', value: ms(percentile(uploads, 50)) });
  rows.push({ measure: 'POST /upload 100 KB, p99', value: ms(percentile(uploads, 99)) });

  const infoUrl = `${stack.url}/get_file_info?secret_key=${SECRET}&filename=bench/upload-0.bin`;
  await timeEach(20, () => fetch(infoUrl).then((r) => r.arrayBuffer()));
  const infos = await timeEach(ROUNDS, () => fetch(infoUrl).then((r) => r.arrayBuffer()));
  rows.push({ measure: 'GET /get_file_info, p50', value: ms(percentile(infos, 50)) });
  rows.push({ measure: 'GET /get_file_info, p99', value: ms(percentile(infos, 99)) });

  // Overhead of the local API Gateway: the same handler and event, once in-process, once over HTTP.
  const { handler } = (await import('../functions/platform/health.ts')) as { handler: HttpHandler };
  const healthEvent = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('events/platform.health.json', 'utf8'))) as HttpEvent;
  await timeEach(200, () => handler(healthEvent, context));
  await timeEach(200, () => fetch(`${stack.url}/health`).then((r) => r.arrayBuffer()));
  const direct = await timeEach(ROUNDS * 3, () => handler(healthEvent, context));
  const viaHttp = await timeEach(ROUNDS * 3, () => fetch(`${stack.url}/health`).then((r) => r.arrayBuffer()));
  const overhead = percentile(viaHttp, 50) - percentile(direct, 50);
  rows.push({ measure: 'GET /health handler called directly, p50', value: ms(percentile(direct, 50)) });
  rows.push({ measure: 'GET /health through the local server, p50', value: ms(percentile(viaHttp, 50)) });
  rows.push({ measure: 'local server overhead per request, p50', value: ms(overhead), goal: '≤ 1 ms', verdict: verdict(overhead <= 1) });
} finally {
  await stack.stop();
}

for (const bundle of await measureBundles()) {
  rows.push({
    measure: `bundle "${bundle.group}", minified`,
    value: `${(bundle.bytes / 1024).toFixed(0)} KiB`,
    goal: '≤ 1 MB',
    verdict: verdict(bundle.bytes <= 1_000_000),
  });
  rows.push({ measure: `bundle "${bundle.group}", module load p50`, value: ms(bundle.loadMs), goal: '≤ 150 ms', verdict: verdict(bundle.loadMs <= 150) });
}

printTable(`Tessera bench (${ROUNDS} rounds, node ${process.version}, ${new Date().toISOString()})`, rows);
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(rows, null, 2));
process.exit(0);
