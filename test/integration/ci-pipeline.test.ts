import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { sqs } from '../../functions/adapters/aws-clients.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { picJobs } from '../../functions/services/pic-jobs.ts';
import { failDeadTask, requeueStranded } from '../support/lambdas.ts';
import { startWorkerLoop } from '../../local/worker-loop.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

const APP = 'tcpipeline0000000001';
const SECRET = 'pipeline-secret';
// No worker of the stack's own: each test starts and stops the workers it needs.
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 800, 600);
  await postForm(`${stack.current.url}/upload`, {
    secret_key: SECRET,
    filename: 'demo/in/big.jpg',
    filedata: { data: await gradientJpeg(3000, 2000, 90), type: 'image/jpeg' },
  });
});

async function submit(fields: Parameters<typeof jobXml>[0]): Promise<string> {
  const answer = await ci().request('POST', '/jobs', { body: jobXml(fields) });
  assert.equal(answer.status, 200, answer.body);
  return tag(answer.body, 'JobId')!;
}

const job = (taskId: string) => taskStore.require({ clientId: APP, taskId });

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the job pipeline', () => {
  it('starts higher JobLevels first when the pipeline is busy', async () => {
    const low = [];
    for (let index = 0; index < 4; index++) low.push(await submit({ level: 0, output: `out/low-${index}.jpg` }));
    const high = [];
    for (let index = 0; index < 3; index++) high.push(await submit({ level: 2, output: `out/high-${index}.jpg` }));
    const middle = [];
    for (let index = 0; index < 3; index++) middle.push(await submit({ level: 1, output: `out/mid-${index}.jpg` }));
    const worker = startWorkerLoop({ concurrency: 1, idleMs: 20 });
    try {
      const all = [...low, ...high, ...middle];
      await until(async () => (await Promise.all(all.map(job))).every((task) => task.state === 'SUCCESS'));
      const started = async (ids: string[]) => Promise.all(ids.map(async (id) => Date.parse((await job(id)).startedAt!)));
      const [lows, highs, middles] = await Promise.all([started(low), started(high), started(middle)]);
      assert.ok(Math.max(...highs) <= Math.min(...middles), 'every level-2 job started before any level-1 job');
      assert.ok(Math.max(...middles) <= Math.min(...lows), 'every level-1 job started before any level-0 job');
    } finally {
      await worker.stop();
    }
  });

  it('lets exactly one of cancel and start win when they race', async () => {
    for (let round = 0; round < 4; round++) {
      const jobId = await submit({ output: `out/race-${round}.jpg` });
      const worker = startWorkerLoop({ concurrency: 1, idleMs: 1 });
      const cancel = await ci().request('PUT', `/jobs/${jobId}`, { query: { cancel: '' } });
      await until(async () => ['SUCCESS', 'CANCELLED'].includes((await job(jobId)).state));
      await worker.stop();
      const final = await job(jobId);
      if (cancel.status === 200) {
        assert.equal(final.state, 'CANCELLED');
        assert.equal(final.startedAt, undefined, 'a cancelled job never ran');
      } else {
        assert.equal(tag(cancel.body, 'Code'), 'InvalidArgument');
        assert.match(tag(cancel.body, 'Message')!, /only jobs that have not started can be cancelled/);
        assert.equal(final.state, 'SUCCESS');
      }
    }
  });

  it('finishes a job whose worker was killed mid-way: another takes it over', async () => {
    const jobId = await submit({
      input: 'in/big.jpg',
      rule: 'imageMogr2/blur/50x30/thumbnail/2900x1900!/blur/50x30',
      output: 'out/crash.jpg',
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/worker.ts'], {
      env: { ...process.env, TESSERA_WORKER_LEASE_MS: '1000', TESSERA_WORKER_VISIBILITY_SECONDS: '2', TESSERA_WORKER_CONCURRENCY: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await until(async () => (await job(jobId)).state === 'RUNNING');
      child.kill('SIGKILL');
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal((await job(jobId)).state, 'RUNNING', 'the killed worker left it mid-way');
    process.env.TESSERA_WORKER_LEASE_MS = '1000';
    const worker = startWorkerLoop({ concurrency: 1, visibilitySeconds: 2, idleMs: 50 });
    try {
      await until(async () => (await job(jobId)).state === 'SUCCESS', 60_000);
    } finally {
      await worker.stop();
      delete process.env.TESSERA_WORKER_LEASE_MS;
    }
    const final = await job(jobId);
    assert.equal(final.attempts, 1, 'taken over once');
  });

  it('does not strand a job whose enqueue failed: the requeue job sends it', async () => {
    let armed = true;
    sqs().middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && context.commandName === 'SendMessageCommand') {
          armed = false;
          throw new SQSServiceException({
            name: 'InternalError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
            message: 'SQS is down',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'fail-send-once' },
    );
    let jobId: string;
    try {
      jobId = await submit({ output: 'out/stranded.jpg' });
    } finally {
      sqs().middlewareStack.remove('fail-send-once');
    }
    assert.equal((await job(jobId)).awaitingQueue, 'job', 'accepted, and marked as not yet queued');
    assert.ok((await requeueStranded(Date.now() + 120_000)) >= 1);
    assert.equal((await job(jobId)).awaitingQueue, undefined);
    const worker = startWorkerLoop({ concurrency: 1, idleMs: 20 });
    try {
      await until(async () => (await job(jobId)).state === 'SUCCESS');
    } finally {
      await worker.stop();
    }
  });

  it('ends a dead-lettered job Failed, never stuck', async () => {
    const client = (await clientRegistry.get(APP))!;
    const submitted = await picJobs.submit(client, {
      inputObject: 'in/photo.jpg',
      output: { region: 'ap-local', bucket: 'demo-1250000000', object: 'out/dead.jpg' },
      picProcess: { isPicInfo: false, processRule: 'imageMogr2/strip' },
      jobLevel: 0,
      callBackFormat: 'XML',
    });
    await failDeadTask(submitted);
    const final = await job(submitted.taskId);
    assert.equal(final.state, 'FAILED');
    assert.equal(final.error?.code, 'InternalError');
  });
});
