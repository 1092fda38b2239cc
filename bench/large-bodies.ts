/**
 * Bodies of real size through the big-body path (issue 12, point 7), against a direct S3 put of
 * the same bytes to the same emulator, with the server's peak RSS.
 *
 * Three processes, so each RSS is one thing's alone: this one is the client (and samples the
 * others' /proc/<pid>/status from a worker thread every ~10 ms); the server is the local stack
 * in a child (bench/large-bodies-child.ts); the emulators (fauxqs keeps every object and part in
 * memory) in another child, which the server reaches as AWS_ENDPOINT_URL, as it would LocalStack.
 * BENCH_LARGE_EMULATORS=embedded runs them inside the server's process instead, as npm start does
 * (then its RSS holds every stored byte as well).
 *
 * Each round runs every measure once, interleaved; round 0 is a warm-up (handlers load, JIT) that
 * also checks the stored bytes' sha256 for every measure, so a broken path cannot bench fast.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { OstClient } from '../cli/ost-client.ts';
import { PROXIED_PART_BYTES } from '../functions/core/slices.ts';
import { HELD_FILE_BYTES } from '../functions/http/form.ts';
import type { ChildMessage, ParentMessage } from './large-bodies-child.ts';
import { ms, percentile, verdict, type Row } from './stats.ts';

const MiB = 1024 * 1024;
const SLICE = 5_242_880;
/** What the server's S3 writes use: spool parts (multipartStore.spool) and proxied parts alike. */
const PART = 8 * MiB;
/** The largest part the big-body path holds in memory. */
const HELD = Math.max(HELD_FILE_BYTES, PROXIED_PART_BYTES, PART);
const SECRET = 'bench-large-secret';
const APP_ID = 'tcbenchlarge00000001';
const NAMESPACE = 'bench';
const CHILD = fileURLToPath(new URL('./large-bodies-child.ts', import.meta.url));
const CLOCK_TICKS = 100;

// ---------------------------------------------------------------- child processes

interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly ready: Extract<ChildMessage, { type: 'ready' }>;
  ask<T extends ChildMessage['type']>(message: ParentMessage & { type: T }): Promise<Extract<ChildMessage, { type: T }>>;
  stop(): Promise<void>;
}

async function startChild(args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  // Node's defaults otherwise (heap, semi-space): --expose-gc only lets each round start after a collection.
  const child = fork(CHILD, args, { env, execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, Array<(message: ChildMessage) => void>>();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`bench child ${args[0]} exited (${code ?? signal})`))),
  );
  exited.catch(() => undefined);
  child.on('message', (message: ChildMessage) => waiting.get(message.type)?.shift()?.(message));
  const next = <T extends ChildMessage['type']>(type: T) =>
    Promise.race([
      new Promise<Extract<ChildMessage, { type: T }>>((resolve) => {
        const queue = waiting.get(type) ?? [];
        queue.push(resolve as (message: ChildMessage) => void);
        waiting.set(type, queue);
      }),
      exited,
    ]);
  const ready = await next('ready');
  return {
    process: child,
    pid: child.pid!,
    ready,
    ask(message) {
      const answer = next(message.type);
      child.send(message);
      return answer as never;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- sampling /proc

interface MemoryTrace {
  /** VmRSS before the upload, after a full collection (bytes). */
  readonly baseline: number;
  /** The highest VmRSS sampled during it. */
  readonly peak: number;
  /** VmHWM at its end, reset just before it (undefined where the kernel refused the reset). */
  readonly hwm: number | undefined;
  readonly samples: number;
  /** The longest gap between two samples (ms). */
  readonly maxGapMs: number;
  /** CPU seconds the process spent during the upload. */
  readonly cpuSeconds: number;
}

const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const flag = new Int32Array(workerData.flag);
const rssOf = (pid) => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))[1]) * 1024;
const peaks = workerData.pids.map(() => 0);
let samples = 0, maxGap = 0, last = performance.now();
for (;;) {
  workerData.pids.forEach((pid, index) => { peaks[index] = Math.max(peaks[index], rssOf(pid)); });
  samples++;
  const now = performance.now();
  maxGap = Math.max(maxGap, now - last);
  last = now;
  if (samples === 1) parentPort.postMessage('sampling');
  if (Atomics.wait(flag, 0, 0, 10) !== 'timed-out') break;
}
parentPort.postMessage({ peaks, samples, maxGap });
`;

const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const field = (text: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)![1]) * 1024;
const cpuOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};

/** Samples the processes' VmRSS every ~10 ms, from a thread of its own, while `run` runs. */
async function traced<T>(pids: readonly number[], run: () => Promise<T>): Promise<{ result: T; traces: MemoryTrace[] }> {
  const baselines = pids.map((pid) => field(status(pid), 'VmRSS'));
  const hwmReset = pids.map((pid) => {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  });
  const cpu = pids.map(cpuOf);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SAMPLER, { eval: true, workerData: { pids, flag: flag.buffer } });
  const messages: unknown[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (message) => {
    messages.push(message);
    wake?.();
  });
  const nextMessage = async () => {
    while (!messages.length) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift();
  };
  await nextMessage();
  let result: T;
  try {
    result = await run();
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
  const sampled = (await nextMessage()) as { peaks: number[]; samples: number; maxGap: number };
  await worker.terminate();
  const traces = pids.map((pid, index) => {
    const text = status(pid);
    return {
      baseline: baselines[index]!,
      peak: Math.max(sampled.peaks[index]!, field(text, 'VmRSS')),
      hwm: hwmReset[index] ? field(text, 'VmHWM') : undefined,
      samples: sampled.samples,
      maxGapMs: sampled.maxGap,
      cpuSeconds: cpuOf(pid) - cpu[index]!,
    };
  });
  return { result, traces };
}

// ---------------------------------------------------------------- the uploads

function writeRandomFile(dir: string, name: string, bytes: number): { path: string; sha256: string } {
  const path = join(dir, name);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let written = 0; written < bytes; written += 16 * MiB) {
    const chunk = randomBytes(Math.min(16 * MiB, bytes - written));
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return { path, sha256: hash.digest('hex') };
}

interface Sent {
  readonly key: string;
  /** When the last byte of the request body was handed to the socket, from the start (ms). */
  readonly bodySentMs?: number;
}

/** POST /upload as multipart: the fields first, then `filedata` streamed from the file on disk. */
function postUpload(
  url: string,
  fields: Record<string, string>,
  path: string,
  size: number,
): Promise<{ status: number; body: string; bodySentMs: number }> {
  const boundary = `----tessera-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="payload.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let bodySentMs = Number.NaN;
    const request = httpRequest(`${url}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
    });
    request.once('finish', () => (bodySentMs = performance.now() - started));
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), bodySentMs }));
      response.once('error', reject);
    });
    request.once('error', reject);
    const body = Readable.from(
      (async function* () {
        yield head;
        yield* createReadStream(path, { highWaterMark: MiB });
        yield tail;
      })(),
    );
    pipeline(body, request).catch(reject);
  });
}

async function uploadThroughServer(url: string, path: string, size: number, round: number): Promise<Sent> {
  const key = `${NAMESPACE}/large/upload-${round}.bin`;
  const answer = await postUpload(url, { secret_key: SECRET, filename: key, overwrite: '1' }, path, size);
  if (answer.status !== 200 || JSON.parse(answer.body).msg_code !== 1)
    throw new Error(`/upload answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return { key, bodySentMs: answer.bodySentMs };
}

/** init, 5,242,880-byte slices one after another (read from disk as the client sends them), complete. */
async function uploadSliced(url: string, path: string, size: number): Promise<Sent> {
  const client = new OstClient({ endpoint: url, appId: APP_ID, secret: SECRET });
  const init = OstClient.ok(await client.json<{ upload_id: string }>('/file/mpupload/init', { file_name: 'payload.bin' }));
  const uploadId = init.data!.upload_id;
  const handle = await open(path, 'r');
  try {
    for (let sliceId = 1, offset = 0; offset < size; sliceId++, offset += SLICE) {
      const data = Buffer.allocUnsafe(Math.min(SLICE, size - offset));
      await handle.read(data, 0, data.length, offset);
      OstClient.ok(
        await client.multipart('/file/mpupload/upload', { upload_id: uploadId, slice_id: String(sliceId) }, { name: 'data', data }),
      );
    }
  } finally {
    await handle.close();
  }
  OstClient.ok(await client.json<{ url: string }>('/file/mpupload/complete', { upload_id: uploadId }));
  // Where slicedUpload puts it (objectKeyFor); the sha256 check reads it from there.
  return { key: `${NAMESPACE}/ost/${uploadId}/payload.bin` };
}

/** The same bytes straight to the emulator: lib-storage, 8 MiB parts (the server's part size), streamed from disk. */
async function directPut(s3: S3Client, bucket: string, path: string, key: string, queueSize: number): Promise<Sent> {
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(path, { highWaterMark: MiB }) },
    partSize: PART,
    queueSize,
    leavePartsOnError: false,
  }).done();
  return { key };
}

async function storedSha256(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// ---------------------------------------------------------------- the section

interface Measure {
  readonly id: string;
  readonly label: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly throughServer: boolean;
  run(round: number): Promise<Sent>;
}

interface Sample {
  readonly seconds: number;
  readonly bodySentMs?: number;
  readonly server: MemoryTrace;
  readonly emulator: MemoryTrace | undefined;
  readonly clientCpuSeconds: number;
  readonly calls: Record<string, { count: number; ms: number }>;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const rate = (bytes: number, seconds: number) => bytes / MiB / seconds;
const median = (values: readonly number[]) => percentile(values, 50);

export async function benchLargeBodies(rounds = Number(process.env.BENCH_LARGE_ROUNDS ?? 5)): Promise<Row[]> {
  const embedded = process.env.BENCH_LARGE_EMULATORS === 'embedded';
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-large-'));
  const big = { size: 64 * MiB, ...writeRandomFile(dir, 'upload.bin', 64 * MiB) };
  const sliced = { size: 32 * MiB, ...writeRandomFile(dir, 'sliced.bin', 32 * MiB) };

  // Whatever this process's environment points at (bench/run.ts's own stack), the children get their own.
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' };
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_SQS',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
  ])
    delete env[name];
  let emulators: Child | undefined;
  let server: Child | undefined;
  const rows: Row[] = [];
  try {
    if (!embedded) {
      emulators = await startChild(['emulators'], env);
      const { s3Endpoint, dynamoEndpoint } = emulators.ready;
      Object.assign(env, {
        AWS_ENDPOINT_URL: s3Endpoint,
        AWS_ENDPOINT_URL_S3: s3Endpoint,
        AWS_ENDPOINT_URL_SQS: s3Endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
      });
    }
    server = await startChild(['server', JSON.stringify({ clientId: APP_ID, secret: SECRET, namespace: NAMESPACE })], env);
    const { url, bucket, s3Endpoint, target } = server.ready;
    // The server's own client settings (functions/adapters/aws-clients.ts): path style, no added checksums.
    const s3 = new S3Client({
      endpoint: s3Endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const measures: Measure[] = [
      {
        id: 'upload',
        label: `${big.size / MiB} MiB /upload (fields, then filedata streamed from disk)`,
        bytes: big.size,
        sha256: big.sha256,
        throughServer: true,
        run: (round) => uploadThroughServer(url!, big.path, big.size, round),
      },
      {
        id: 'direct-upload',
        label: `direct S3 put of the same ${big.size / MiB} MiB (lib-storage, 8 MiB parts, 1 in flight)`,
        bytes: big.size,
        sha256: big.sha256,
        throughServer: false,
        run: (round) => directPut(s3, bucket!, big.path, `${NAMESPACE}/large/direct-${round}.bin`, 1),
      },
      {
        id: 'direct-upload-4',
        label: `  the same, 4 parts in flight (lib-storage's default)`,
        bytes: big.size,
        sha256: big.sha256,
        throughServer: false,
        run: (round) => directPut(s3, bucket!, big.path, `${NAMESPACE}/large/direct4-${round}.bin`, 4),
      },
      {
        id: 'sliced',
        label: `${sliced.size / MiB} MiB in ${SLICE}-byte proxied slices (init, ${Math.ceil(sliced.size / SLICE)} slices, complete)`,
        bytes: sliced.size,
        sha256: sliced.sha256,
        throughServer: true,
        run: () => uploadSliced(url!, sliced.path, sliced.size),
      },
      {
        id: 'direct-sliced',
        label: `direct S3 put of the same ${sliced.size / MiB} MiB (lib-storage, 8 MiB parts, 1 in flight)`,
        bytes: sliced.size,
        sha256: sliced.sha256,
        throughServer: false,
        run: (round) => directPut(s3, bucket!, sliced.path, `${NAMESPACE}/large/direct-sliced-${round}.bin`, 1),
      },
    ];
    const samples = new Map<string, Sample[]>(measures.map((measure) => [measure.id, []]));
    const pids = emulators ? [server.pid, emulators.pid] : [server.pid];

    for (let round = 0; round <= rounds; round++) {
      for (const measure of measures) {
        await Promise.all([server.ask({ type: 'gc' }), emulators?.ask({ type: 'gc' })]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await server.ask({ type: 'calls' });
        const cpu = process.cpuUsage();
        const started = performance.now();
        const { result, traces } = await traced(pids, () => measure.run(round));
        const seconds = (performance.now() - started) / 1000;
        const clientCpu = process.cpuUsage(cpu);
        const { calls } = await server.ask({ type: 'calls' });
        if (round === 0) {
          const stored = await storedSha256(s3, bucket!, result.key);
          if (stored !== measure.sha256) throw new Error(`${measure.id}: stored bytes differ (sha256 ${stored}, sent ${measure.sha256})`);
        }
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: result.key }));
        if (round === 0) continue;
        samples.get(measure.id)!.push({
          seconds,
          bodySentMs: result.bodySentMs,
          server: traces[0]!,
          emulator: traces[1],
          clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
          calls,
        });
      }
    }
    s3.destroy();

    const rateOf = (id: string) =>
      rate(measures.find((measure) => measure.id === id)!.bytes, median(samples.get(id)!.map((s) => s.seconds)));
    const server0 = `server process${emulators ? '' : ' (with the emulators in it)'}`;
    for (const measure of measures) {
      const list = samples.get(measure.id)!;
      const secs = list.map((s) => s.seconds);
      rows.push({
        measure: `${measure.label}: median (best) of ${list.length}`,
        value: `${rate(measure.bytes, median(secs)).toFixed(0)} MiB/s (${rate(measure.bytes, Math.min(...secs)).toFixed(0)})`,
      });
      if (measure.id === 'upload' || measure.id === 'sliced') {
        const direct = measure.id === 'upload' ? 'direct-upload' : 'direct-sliced';
        const ratio = rateOf(measure.id) / rateOf(direct);
        rows.push({ measure: '  path / direct put (medians)', value: ratio.toFixed(2), goal: '≥ 0.8', verdict: verdict(ratio >= 0.8) });
        if (measure.id === 'upload') {
          rows.push({
            measure: '  path / direct put with 4 parts in flight (medians)',
            value: (ratio * (rateOf(direct) / rateOf('direct-upload-4'))).toFixed(2),
          });
          const sent = median(list.map((s) => s.bodySentMs!));
          rows.push({
            measure: '  of which: body sent, then answered (medians)',
            value: `${ms(sent)} + ${ms(median(secs) * 1000 - sent)}`,
          });
        }
        const growth = list.map((s) => s.server.peak - s.server.baseline);
        rows.push({
          measure: `  ${server0}: RSS growth over idle, max (median) of ${list.length}`,
          value: `${mib(Math.max(...growth))} (${mib(median(growth))})`,
          goal: `≤ ${mib(2 * HELD)}`,
          verdict: verdict(Math.max(...growth) <= 2 * HELD),
        });
        const hwm = list.filter((s) => s.server.hwm !== undefined).map((s) => s.server.hwm! - s.server.baseline);
        if (hwm.length)
          rows.push({
            measure: '  … the same from VmHWM (reset before each upload)',
            value: `${mib(Math.max(...hwm))} (${mib(median(hwm))})`,
          });
        rows.push({
          measure: '  … idle baseline, median',
          value: `${mib(median(list.map((s) => s.server.baseline)))}`,
        });
      }
      if (emulators) {
        const growth = list.map((s) => s.emulator!.peak - s.emulator!.baseline);
        rows.push({
          measure: '  emulator process: RSS growth, max (median)',
          value: `${mib(Math.max(...growth))} (${mib(median(growth))})`,
        });
      }
      const cpu = (pick: (s: Sample) => number) => median(list.map(pick)).toFixed(2);
      rows.push({
        measure: '  CPU s, medians: client / server / emulators',
        value: `${cpu((s) => s.clientCpuSeconds)} / ${cpu((s) => s.server.cpuSeconds)} / ${emulators ? cpu((s) => s.emulator!.cpuSeconds) : '(in server)'}`,
      });
      if (measure.throughServer) {
        const names = [...new Set(list.flatMap((s) => Object.keys(s.calls)))];
        const calls = names
          .map((name) => ({
            name: name.replace(/Command$/, ''),
            count: median(list.map((s) => s.calls[name]?.count ?? 0)),
            ms: median(list.map((s) => s.calls[name]?.ms ?? 0)),
          }))
          .filter((call) => call.ms >= 5)
          .sort((a, b) => b.ms - a.ms);
        rows.push({
          measure: "  server's AWS calls, medians (summed; some overlap the body)",
          value: calls.map((c) => `${c.name}×${c.count} ${c.ms.toFixed(0)} ms`).join(', '),
        });
      }
    }
    const sampled = [...samples.values()].flat().map((s) => s.server);
    rows.push({
      measure: `RSS sampling: every ~10 ms from a thread (longest gap ${ms(Math.max(...sampled.map((s) => s.maxGapMs)))})`,
      value: `${median(sampled.map((s) => s.samples))} samples/upload`,
    });
    rows.push({
      measure: `stored bytes sha256-identical to the file, every measure (round 0)`,
      value: 'yes',
      goal: 'identical',
      verdict: 'ok',
    });
    rows.push({
      measure: `server target: ${target}; largest part held: ${mib(HELD)}`,
      value: embedded ? 'emulators in the server' : 'emulators apart',
    });
  } finally {
    await server?.stop();
    await emulators?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
