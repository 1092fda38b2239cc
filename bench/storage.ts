import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpHandler } from '../functions/http/http-handler.ts';
import type { LocalStack } from '../local/local-stack.ts';
import { ms, percentile, timeEach, verdict, type Row } from './stats.ts';

const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 29_000 } as Context;

/** Storage dialect latency and the local API Gateway's own overhead. */
export async function benchStorage(stack: LocalStack, secret: string, rounds: number): Promise<Row[]> {
  const rows: Row[] = [];
  const payload = randomBytes(100 * 1024);
  const uploadForm = (index: number) => {
    const form = new FormData();
    form.append('secret_key', secret);
    form.append('filename', `bench/upload-${index % 20}.bin`);
    form.append('overwrite', '1');
    form.append('filedata', new Blob([payload]), 'payload.bin');
    return form;
  };
  const upload = (index: number) => fetch(`${stack.url}/upload`, { method: 'POST', body: uploadForm(index) }).then((r) => r.arrayBuffer());
  await timeEach(20, upload);
  const uploads = await timeEach(rounds, upload);
  rows.push({ measure: 'POST /upload 100 KB, p50', value: ms(percentile(uploads, 50)) });
  rows.push({ measure: 'POST /upload 100 KB, p99', value: ms(percentile(uploads, 99)) });

  const infoUrl = `${stack.url}/get_file_info?secret_key=${secret}&filename=bench/upload-0.bin`;
  await timeEach(20, () => fetch(infoUrl).then((r) => r.arrayBuffer()));
  const infos = await timeEach(rounds, () => fetch(infoUrl).then((r) => r.arrayBuffer()));
  rows.push({ measure: 'GET /get_file_info, p50', value: ms(percentile(infos, 50)) });
  rows.push({ measure: 'GET /get_file_info, p99', value: ms(percentile(infos, 99)) });

  // The same handler and event, once called in-process, once through the local server.
  const { handler } = (await import('../functions/platform/health.ts')) as { handler: HttpHandler };
  const event = JSON.parse(readFileSync('events/platform.health.json', 'utf8')) as HttpEvent;
  const viaHttp = () => fetch(`${stack.url}/health`).then((r) => r.arrayBuffer());
  await timeEach(200, () => handler(event, context));
  await timeEach(200, viaHttp);
  const direct = await timeEach(rounds * 3, () => handler(event, context));
  const overHttp = await timeEach(rounds * 3, viaHttp);
  const overhead = percentile(overHttp, 50) - percentile(direct, 50);
  rows.push({ measure: 'GET /health handler called directly, p50', value: ms(percentile(direct, 50)) });
  rows.push({ measure: 'GET /health through the local server, p50', value: ms(percentile(overHttp, 50)) });
  rows.push({ measure: 'local server overhead per request, p50', value: ms(overhead), goal: '≤ 1 ms', verdict: verdict(overhead <= 1) });
  return rows;
}
