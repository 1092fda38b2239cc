import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStack } from '../local/local-stack.ts';
import { CiClient, jobXml, tag } from '../test/support/ci.ts';
import { gradientJpeg } from '../test/support/synthetic-images.ts';
import { ms, percentile, type Row } from './stats.ts';

/** N PicProcess jobs (thumbnail/256x of a 1 MP JPEG) submitted, run and called back, on the local stack. */
export async function benchCiJobs(
  stack: LocalStack,
  appId: string,
  secret: string,
  jobs = Number(process.env.BENCH_CI_JOBS ?? 500),
): Promise<Row[]> {
  const arrived = new Map<string, number>();
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const jobId = (JSON.parse(body) as { JobsDetail: { JobId: string } }).JobsDetail.JobId;
      arrived.set(jobId, performance.now());
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const callBack = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`;
  const form = new FormData();
  form.append('secret_key', secret);
  form.append('filename', `${stack.demo!.namespace}/bench/photo.jpg`);
  form.append('overwrite', '1');
  form.append('filedata', new Blob([await gradientJpeg(1152, 864, 85)]), 'photo.jpg');
  await fetch(`${stack.url}/upload`, { method: 'POST', body: form });

  const client = new CiClient(stack.url, appId, secret);
  const submitted = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < jobs) {
        const index = next++;
        const at = performance.now();
        const answer = await client.request('POST', '/jobs', {
          body: jobXml({ input: 'bench/photo.jpg', output: `bench/out/${index}.jpg`, callBack, format: 'JSON' }),
        });
        submitted.set(tag(answer.body, 'JobId')!, at);
      }
    }),
  );
  const submitSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 600_000;
  while (arrived.size < jobs && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  receiver.close();
  const latencies = [...submitted].filter(([id]) => arrived.has(id)).map(([id, at]) => arrived.get(id)! - at);
  const totalSeconds = (Math.max(...arrived.values()) - started) / 1000;
  return [
    { measure: `${jobs} jobs submitted (4 clients in parallel)`, value: `${(jobs / submitSeconds).toFixed(0)} submits/s` },
    { measure: `${arrived.size}/${jobs} jobs run and called back`, value: `${(arrived.size / totalSeconds).toFixed(1)} jobs/s` },
    { measure: 'submit → callback, p50', value: ms(percentile(latencies, 50)) },
    { measure: 'submit → callback, p99', value: ms(percentile(latencies, 99)) },
  ];
}
