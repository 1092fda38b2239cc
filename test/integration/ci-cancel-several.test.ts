import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { useLocalStack } from '../support/local-stack.ts';

const APP = 'tcfixcancel000000001';
const SECRET = 'fix-cancel-secret';
// No worker: submitted jobs stay Submitted until a test cancels them.
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 200, 150);
});

async function submit(output: string): Promise<string> {
  const answer = await ci().request('POST', '/jobs', { body: jobXml({ output }) });
  assert.equal(answer.status, 200, answer.body);
  return tag(answer.body, 'JobId')!;
}

const cancel = (ids: readonly string[]) => ci().request('PUT', `/jobs/${ids.join(',')}`, { query: { cancel: '' } });
const stateOf = async (jobId: string) => tag((await ci().request('GET', `/jobs/${jobId}`)).body, 'State');

describe('cancelling several jobs at once', () => {
  it('changes nothing when one of the ids does not exist', async () => {
    const waiting = await submit('out/c1.jpg');
    const missing = 'j0000000000000000000000000000000f';
    const answer = await cancel([waiting, missing]);
    assert.equal(answer.status, 404, answer.body);
    assert.equal(tag(answer.body, 'Code'), 'NoSuchJob');
    assert.equal(tag(answer.body, 'Message'), `job ${missing} does not exist`);
    assert.equal(await stateOf(waiting), 'Submitted', 'the valid job was left as it was');
  });

  it('changes nothing when one of the jobs can no longer be cancelled', async () => {
    const done = await submit('out/c2.jpg');
    assert.equal((await cancel([done])).status, 200);
    const waiting = await submit('out/c3.jpg');
    const answer = await cancel([waiting, done]);
    assert.equal(answer.status, 400, answer.body);
    assert.equal(tag(answer.body, 'Code'), 'InvalidArgument');
    assert.equal(tag(answer.body, 'Message'), `job ${done} is already cancelled; only jobs that have not started can be cancelled`);
    assert.equal(await stateOf(waiting), 'Submitted', 'the valid job was left as it was');
  });

  it('cancels every job named when all can be, a job named twice once', async () => {
    const jobs = [await submit('out/c4.jpg'), await submit('out/c5.jpg')];
    const answer = await cancel([jobs[0]!, jobs[1]!, jobs[0]!]);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(await Promise.all(jobs.map(stateOf)), ['Cancel', 'Cancel']);
  });
});
