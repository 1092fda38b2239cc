import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { taskStore, type Task } from '../../functions/adapters/task-store.ts';
import { renderCallback } from '../../functions/callback-forms.ts';
import { deliverCallback, processTaskMessage } from '../support/lambdas.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';

const APP = 'tcfixcallbacks000001';
const SECRET = 'fix-callbacks-secret';
// No worker: each test drives the worker's functions itself, in the order it needs.
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);

// Counts the POSTs per job; answers after a pause, so concurrent deliverers all claim before either records the outcome.
let receiver: Server;
let receiverUrl = '';
const posts: string[] = [];
before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 200, 150);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      posts.push(body);
      setTimeout(() => response.end('ok'), 300);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
after(() => {
  receiver.closeAllConnections();
  receiver.close();
});

const postsFor = (taskId: string) => posts.filter((body) => body.includes(taskId)).length;

/** A job with a CallBack, run by the worker to its end: its callback is then pending. */
async function finishedJob(output: string): Promise<Task> {
  const answer = await ci().request('POST', '/jobs', { body: jobXml({ output, callBack: receiverUrl }) });
  assert.equal(answer.status, 200, answer.body);
  const key = { clientId: APP, taskId: tag(answer.body, 'JobId')! };
  await processTaskMessage(key);
  return taskStore.require(key);
}

describe('callback delivery', () => {
  it('sends a callback once when two deliverers take over the same run-out sending lease', async () => {
    const job = await finishedJob('out/lease.jpg');
    assert.equal(job.state, 'SUCCESS');
    // The first sender died mid-send: the callback says `sending`, and its lease has run out.
    await taskStore.patch(job, { set: { callback: { ...job.callback!, status: 'sending', sendingUntil: Date.now() - 1_000 } } });
    const now = Date.now();
    await Promise.all([deliverCallback(job, renderCallback, now), deliverCallback(job, renderCallback, now)]);
    assert.equal(postsFor(job.taskId), 1, 'exactly one of the two deliverers sent it');
    const callback = (await taskStore.require(job)).callback!;
    assert.equal(callback.status, 'delivered');
    assert.equal(callback.attempts, 1);
  });

  it('sends nothing for a task that is not finished, whatever its callback says', async () => {
    // Not an image: accepted (its header cannot be read), and fails when run.
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/in/not-an-image.jpg',
      filedata: { data: 'plain text', type: 'image/jpeg' },
    });
    const answer = await ci().request('POST', '/jobs', {
      body: jobXml({ input: 'in/not-an-image.jpg', output: 'out/never.jpg', callBack: receiverUrl }),
    });
    assert.equal(answer.status, 200, answer.body);
    const key = { clientId: APP, taskId: tag(answer.body, 'JobId')! };
    await processTaskMessage(key);
    const failed = await taskStore.require(key);
    assert.equal(failed.state, 'FAILED');
    assert.equal(failed.callback?.status, 'pending');
    // Restarted before its callback went out (or with a retry still queued): it is waiting to run again.
    const restarted = await taskStore.transition(failed, 'start', { version: failed.version });
    assert.equal(restarted.state, 'PENDING');
    for (const status of ['pending', 'retrying'] as const) {
      await taskStore.patch(key, { set: { callback: { ...restarted.callback!, status, attempts: status === 'retrying' ? 1 : 0 } } });
      await deliverCallback(key, renderCallback);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(postsFor(key.taskId), 0, `no "TaskFinish" for a task that is running again (callback ${status})`);
      assert.equal((await taskStore.require(key)).callback?.status, status, 'and its callback is left as it was');
    }
  });
});
