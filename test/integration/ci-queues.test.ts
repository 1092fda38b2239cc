import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { startWorkerLoop } from '../../local/worker-loop.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { useLocalStack } from '../support/local-stack.ts';

const APP = 'tcqueues000000000001';
const SECRET = 'queues-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);
const queueXml = (state: string, notify = '<NotifyConfig><State>Off</State></NotifyConfig>') =>
  `<Request><Name>my-queue</Name><State>${state}</State>${notify}</Request>`;

let receiver: Server;
let receiverUrl = '';
const received: string[] = [];
before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 400, 300);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(body);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/queue-hook`;
});
after(() => {
  receiver.closeAllConnections();
  receiver.close();
});

const queueId = async () => tag((await ci().request('GET', '/picqueue')).body, 'QueueId')!;
const state = async (jobId: string) => (await taskStore.require({ clientId: APP, taskId: jobId })).state;
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
async function submit(fields: Parameters<typeof jobXml>[0]) {
  const answer = await ci().request('POST', '/jobs', { body: jobXml(fields) });
  assert.equal(answer.status, 200, answer.body);
  return tag(answer.body, 'JobId')!;
}

describe('ci pic queue', () => {
  it("describes the client's queue, Active by default", async () => {
    const answer = await ci().request('GET', '/picqueue');
    assert.equal(answer.status, 200, answer.body);
    assert.match(
      answer.body,
      /<TotalCount>1<\/TotalCount>.*<QueueList><QueueId>p[0-9a-f]{32}<\/QueueId><Name>queue-pic-process-1<\/Name><State>Active<\/State>.*<Category>PicProcessing<\/Category><\/QueueList>/,
    );
    assert.equal(tag((await ci().request('GET', '/picqueue', { query: { state: 'Paused' } })).body, 'TotalCount'), '0');
  });

  it('holds queued jobs as Pause while Paused, and runs them when Active again', async () => {
    const id = await queueId();
    const paused = await ci().request('PUT', `/picqueue/${id}`, { body: queueXml('Paused') });
    assert.equal(paused.status, 200, paused.body);
    assert.match(paused.body, /<Queue><QueueId>p[0-9a-f]{32}<\/QueueId><Name>my-queue<\/Name><State>Paused<\/State>/);
    const jobs = [await submit({ output: 'out/p1.jpg' }), await submit({ output: 'out/p2.jpg' })];
    const worker = startWorkerLoop({ concurrency: 2, idleMs: 20 });
    try {
      await until(async () => (await Promise.all(jobs.map(state))).every((value) => value === 'PAUSED'));
      assert.match((await ci().request('GET', `/jobs/${jobs[0]}`)).body, /<State>Pause<\/State>/);
      assert.equal(await objectStore.head('demo/out/p1.jpg'), undefined, 'a paused job does not run');
      const active = await ci().request('POST', `/picqueue/${id}`, { body: queueXml('Active') });
      assert.equal(active.status, 200, active.body);
      await until(async () => (await Promise.all(jobs.map(state))).every((value) => value === 'SUCCESS'));
    } finally {
      await worker.stop();
    }
  });

  it('sends callbacks of jobs without their own CallBack to the queue\'s NotifyConfig, unless CallBack is "no"', async () => {
    const id = await queueId();
    const on = await ci().request('PUT', `/picqueue/${id}`, {
      body: queueXml(
        'Active',
        `<NotifyConfig><State>On</State><Url>${receiverUrl}</Url><Type>Url</Type><Event>TaskFinish</Event><ResultFormat>JSON</ResultFormat></NotifyConfig>`,
      ),
    });
    assert.equal(on.status, 200, on.body);
    const notified = await submit({ output: 'out/n1.jpg' });
    const silent = await submit({ output: 'out/n2.jpg', callBack: 'no' });
    const worker = startWorkerLoop({ concurrency: 2, idleMs: 20 });
    try {
      await until(async () => received.some((body) => body.includes(notified)));
      await until(async () => (await state(silent)) === 'SUCCESS');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(received.filter((body) => body.includes(silent)).length, 0);
      assert.match(
        received.find((body) => body.includes(notified))!,
        /^\{"EventName":"TaskFinish"/,
      );
    } finally {
      await worker.stop();
    }
  });

  it('refuses bad queue updates and other queue ids, leaving the queue as it was', async () => {
    const id = await queueId();
    const before = (await ci().request('GET', '/picqueue')).body.replace(/<RequestId>[^<]*<\/RequestId>/, '');
    const refused = async (answer: { status: number; body: string }, status: number, code: string, message: RegExp) => {
      assert.equal(answer.status, status, answer.body);
      assert.equal(tag(answer.body, 'Code'), code);
      assert.match(tag(answer.body, 'Message')!, message);
    };
    await refused(
      await ci().request('PUT', '/picqueue/p00000000000000000000000000000000', { body: queueXml('Active') }),
      404,
      'NoSuchQueue',
      /does not exist/,
    );
    await refused(
      await ci().request('PUT', `/picqueue/${id}`, { body: queueXml('Stopped') }),
      400,
      'InvalidArgument',
      /State must be Active or Paused/,
    );
    await refused(
      await ci().request('PUT', `/picqueue/${id}`, { body: queueXml('Active', '<NotifyConfig><State>On</State></NotifyConfig>') }),
      400,
      'InvalidArgument',
      /NotifyConfig.Url is required/,
    );
    await refused(
      await ci().request('PUT', `/picqueue/${id}`, {
        body: queueXml('Active', '<NotifyConfig><State>On</State><Url>http://169.254.169.254/</Url></NotifyConfig>'),
      }),
      400,
      'InvalidArgument',
      /private or reserved address/,
    );
    await refused(
      await ci().request('PUT', `/picqueue/${id}`, { body: '<Request><State>Active</State></Request>' }),
      400,
      'InvalidArgument',
      /Name must be 1-128/,
    );
    await refused(
      await ci().request('GET', '/picqueue', { query: { state: 'Stopped' } }),
      400,
      'InvalidArgument',
      /state must be Active, Paused or All/,
    );
    assert.equal((await ci().request('GET', '/picqueue')).body.replace(/<RequestId>[^<]*<\/RequestId>/, ''), before);
  });
});
