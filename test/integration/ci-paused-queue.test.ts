import assert from 'node:assert/strict';
import { afterEach, before, describe, it, mock } from 'node:test';
import { queues } from '../../functions/adapters/queues.ts';
import { taskStore, type TaskKey } from '../../functions/adapters/task-store.ts';
import { logger } from '../../functions/logger.ts';
import { JOB_QUEUES } from '../../functions/resources.ts';
import { enqueueTask } from '../../functions/services/task-queue.ts';
import { processTaskMessage, requeueStranded } from '../support/lambdas.ts';
import { startWorkerLoop } from '../../local/worker-loop.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { onceBeforeDynamo, plainAttribute, queueSendsDuring, sdkCallsDuring } from '../support/sdk-calls.ts';

const APP = 'tcfixpaused000000001';
const SECRET = 'fix-paused-secret';
// No worker of the stack's own: each test drives the worker's steps itself, in the order it needs.
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 200, 150);
});

/**
 * A hook on the task writes DynamoDB receives: `action` runs just before the first write that
 * moves the task out of `from` (a transition's condition names the state it leaves), in place of
 * nothing or of the write itself when it throws. Disarmed before it acts, so its own requests pass.
 */
let hook: ReturnType<typeof onceBeforeDynamo> | undefined;
afterEach(() => hook?.remove());

function beforeTaskLeaves(key: TaskKey, from: string, action: () => Promise<void>): { fired: () => boolean } {
  hook = onceBeforeDynamo((commandName, input) => {
    const { Key, ExpressionAttributeValues } = input as {
      Key?: Record<string, unknown>;
      ExpressionAttributeValues?: Record<string, unknown>;
    };
    return (
      commandName === 'UpdateItemCommand' &&
      plainAttribute(Key?.taskId) === key.taskId &&
      plainAttribute(ExpressionAttributeValues?.[':from']) === from
    );
  }, action);
  return hook;
}

const queueXml = (state: 'Active' | 'Paused') =>
  `<Request><Name>fix-queue</Name><State>${state}</State><NotifyConfig><State>Off</State></NotifyConfig></Request>`;

async function setQueue(state: 'Active' | 'Paused'): Promise<void> {
  const queueId = tag((await ci().request('GET', '/picqueue')).body, 'QueueId')!;
  const answer = await ci().request('PUT', `/picqueue/${queueId}`, { body: queueXml(state) });
  assert.equal(answer.status, 200, answer.body);
}

/** Takes every message off the job queues, so only a message sent later can run a job. */
async function drainJobQueues(): Promise<void> {
  for (const queue of JOB_QUEUES) {
    for (;;) {
      const messages = await queues.receive(queue, { max: 10, waitSeconds: 0 });
      if (!messages.length) break;
      await Promise.all(messages.map((message) => queues.delete(queue, message.ReceiptHandle!)));
    }
  }
}

/** A job submitted while the queue is Paused, whose message the worker met: it is now PAUSED, and no message is left. */
async function pausedJob(output: string): Promise<TaskKey> {
  await setQueue('Paused');
  const answer = await ci().request('POST', '/jobs', { body: jobXml({ output }) });
  assert.equal(answer.status, 200, answer.body);
  const key = { clientId: APP, taskId: tag(answer.body, 'JobId')! };
  await drainJobQueues();
  await processTaskMessage(key);
  assert.equal((await taskStore.require(key)).state, 'PAUSED');
  return key;
}

/** A resume that fails on DynamoDB: the PAUSED → PENDING write of `key` throws once. */
const failResumeOnce = (key: TaskKey) =>
  beforeTaskLeaves(key, 'PAUSED', () =>
    Promise.reject(Object.assign(new Error('DynamoDB is unavailable'), { name: 'InternalServerError' })),
  );

async function runsToSuccess(key: TaskKey): Promise<void> {
  const worker = startWorkerLoop({ concurrency: 1, idleMs: 20 });
  try {
    const deadline = Date.now() + 20_000;
    while ((await taskStore.require(key)).state !== 'SUCCESS') {
      if (Date.now() > deadline) assert.fail(`the job is still ${(await taskStore.require(key)).state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await worker.stop();
  }
}

describe('a paused ci queue made Active again', () => {
  it('runs a job the worker paused just as the queue was made Active', async () => {
    await setQueue('Paused');
    const answer = await ci().request('POST', '/jobs', { body: jobXml({ output: 'out/race.jpg' }) });
    assert.equal(answer.status, 200, answer.body);
    const key = { clientId: APP, taskId: tag(answer.body, 'JobId')! };
    await drainJobQueues();
    // The worker has read the queue as Paused; the resume lands before its PENDING → PAUSED write.
    let resuming = false;
    const hook = beforeTaskLeaves(key, 'PENDING', async () => {
      resuming = true;
      await setQueue('Active').finally(() => (resuming = false));
    });
    const sent = await queueSendsDuring(
      () => processTaskMessage(key),
      () => resuming,
    );
    assert.ok(hook.fired(), 'the queue was made Active between the worker reading it and pausing the job');
    assert.deepEqual(sent, [{ queue: 'jobsLevel0', delaySeconds: 0 }], 'the worker sent the job again');
    const job = await taskStore.require(key);
    assert.equal(job.state, 'PENDING', 'the worker undid its pause');
    assert.equal(job.awaitingQueue, undefined, "and sent the job's message again");
    await runsToSuccess(key);
  });

  it('resumes, from the requeue job, a paused job whose resume failed', async () => {
    const key = await pausedJob('out/heal.jpg');
    const failed = failResumeOnce(key);
    const logged = mock.method(logger, 'error', () => undefined);
    try {
      await setQueue('Active');
    } finally {
      logged.mock.restore();
    }
    assert.ok(failed.fired());
    assert.equal((await taskStore.require(key)).state, 'PAUSED', 'the resume failed');
    assert.ok(
      logged.mock.calls.some((call) => String(call.arguments[0]).includes('could not be resumed')),
      'and the failure was logged, not swallowed',
    );
    assert.ok((await requeueStranded(Date.now() + 120_000)) >= 1);
    assert.equal((await taskStore.require(key)).state, 'PENDING');
    await runsToSuccess(key);
  });

  it('leaves a paused job alone in the requeue job while its queue is still Paused', async () => {
    const key = await pausedJob('out/held.jpg');
    await requeueStranded(Date.now() + 120_000);
    const job = await taskStore.require(key);
    assert.equal(job.state, 'PAUSED');
    assert.equal(job.awaitingQueue, 'job', 'still marked, to be sent when the queue is Active');
    await setQueue('Active');
    await runsToSuccess(key);
  });

  it('keeps the mark of a job a worker paused between its message being sent and the mark being cleared', async () => {
    const key = await pausedJob('out/late-clear.jpg');
    // As a resume's send, finishing only after the job it sent was met and paused again.
    assert.equal(await enqueueTask(await taskStore.require(key)), true);
    const job = await taskStore.require(key);
    assert.equal(job.state, 'PAUSED');
    assert.equal(job.awaitingQueue, 'job', 'still marked, so the requeue job resumes it once the queue is Active');
    await drainJobQueues();
    await setQueue('Active');
    await runsToSuccess(key);
  });

  it('resumes paused jobs only when the queue turns Active, not on every Active update (the requeue job heals the rest)', async () => {
    const key = await pausedJob('out/again.jpg');
    failResumeOnce(key);
    const logged = mock.method(logger, 'error', () => undefined);
    try {
      await setQueue('Active');
    } finally {
      logged.mock.restore();
    }
    assert.equal((await taskStore.require(key)).state, 'PAUSED', 'the first resume failed');
    const calls = await sdkCallsDuring(() => setQueue('Active'));
    assert.equal(calls.filter((call) => call === 'QueryCommand').length, 0, "an Active → Active update reads none of the client's tasks");
    assert.equal((await taskStore.require(key)).state, 'PAUSED');
    await requeueStranded(Date.now() + 120_000);
    assert.equal((await taskStore.require(key)).state, 'PENDING');
    await runsToSuccess(key);
  });
});
