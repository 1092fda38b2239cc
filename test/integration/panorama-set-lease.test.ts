import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../functions/adapters/aws-clients.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { setBuilds } from '../../functions/adapters/set-builds.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { tableName } from '../../functions/resources.ts';
import { RetryLater } from '../../functions/worker/job-failure.ts';
import { processTaskMessage } from '../support/lambdas.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { onceBeforeDynamo, plainAttribute, queueSendsDuring } from '../support/sdk-calls.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * One build writes a panorama set at a time (functions/adapters/set-builds.ts): two builds of one
 * name on two workers would otherwise mix their files into a set neither made.
 */
const SECRET = 'set-lease-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'lease' }, worker: false });

async function submit(filename: string): Promise<{ clientId: string; taskId: string }> {
  const answer = await postForm(`${stack.current.url}/panorama`, {
    secret_key: SECRET,
    filename,
    filedata: { data: await gradientJpeg(1024, 512), type: 'image/jpeg' },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return { clientId: stack.current.demo!.clientId, taskId: (answer.body.message as { task_id: string }).task_id };
}

const leaseItem = async (key: string) =>
  (await dynamo().send(new GetCommand({ TableName: tableName('objects'), Key: { objectKey: `${key}/` }, ConsistentRead: true }))).Item;

let hook: ReturnType<typeof onceBeforeDynamo> | undefined;
afterEach(() => hook?.remove());

/** Before the build first renews the lease of `key`'s set, another build takes it over (as after a stall past its lease). */
function takenOverBeforeFirstRenewal(key: string): void {
  hook = onceBeforeDynamo(
    (commandName, input) =>
      commandName === 'UpdateItemCommand' && plainAttribute((input.Key as Record<string, unknown>).objectKey) === `${key}/`,
    () =>
      dynamo().send(
        new PutCommand({
          TableName: tableName('objects'),
          Item: { objectKey: `${key}/`, claimId: 'another-build', state: 'building', leaseUntil: Date.now() + 60_000 },
        }),
      ),
  );
}

describe('a panorama set’s build lease', () => {
  it('is held by one build at a time, renewed and given back only by its holder, and taken again once it runs out', async () => {
    await stack.ready();
    const first = await setBuilds.take('lease/unit.jpg', 300);
    assert.ok(first);
    assert.equal(await setBuilds.take('lease/unit.jpg', 300), undefined, 'held');
    assert.ok(await setBuilds.take('lease/other.jpg', 300), 'another name is another set');
    assert.equal(await setBuilds.renew(first), true);
    await sleep(350);
    const second = await setBuilds.take('lease/unit.jpg', 60_000);
    assert.ok(second, 'a lease that ran out is taken');
    assert.equal(await setBuilds.renew(first), false, 'its old holder cannot renew it');
    await setBuilds.release(first);
    assert.equal((await leaseItem('lease/unit.jpg'))?.claimId, second.holder, 'nor give it back');
    await setBuilds.release(second);
    assert.equal(await leaseItem('lease/unit.jpg'), undefined);
  });

  it('makes a build wait, unclaimed and writing nothing, while another build holds the set, then build it all', async () => {
    const task = await submit('lease/waits.jpg');
    const other = await setBuilds.take('lease/waits.jpg', 60_000);
    assert.ok(other);
    const building = processTaskMessage(task);
    await sleep(2500);
    assert.equal(await objectStore.anyUnder('lease/waits.jpg/'), false, 'nothing written while another build holds the set');
    assert.equal((await taskStore.get(task))?.state, 'PENDING', 'its task is not claimed while it waits');
    await setBuilds.release(other);
    await building;
    assert.equal((await taskStore.get(task))?.state, 'SUCCESS');
    assert.ok(await objectStore.head('lease/waits.jpg/config.json'));
    assert.equal(await leaseItem('lease/waits.jpg'), undefined, 'given back');
  });

  it('sends the message again for later, costing the task no attempt, when the set is still held after the wait', async () => {
    const task = await submit('lease/busy.jpg');
    const other = await setBuilds.take('lease/busy.jpg', 60_000);
    assert.ok(other);
    process.env.TESSERA_PANORAMA_SET_WAIT_MS = '1500';
    try {
      const sent = await queueSendsDuring(() => processTaskMessage(task));
      assert.deepEqual(sent, [{ queue: 'jobsLevel0', delaySeconds: 60 }], 'due again in a minute');
    } finally {
      delete process.env.TESSERA_PANORAMA_SET_WAIT_MS;
    }
    const waited = await taskStore.get(task);
    assert.equal(waited?.state, 'PENDING', 'never claimed');
    assert.equal(waited?.attempts, 0, 'no attempt used');
    assert.equal(await objectStore.anyUnder('lease/busy.jpg/'), false);
    assert.equal((await leaseItem('lease/busy.jpg'))?.claimId, other.holder, 'the other build still holds its set');
    await setBuilds.release(other);
    await processTaskMessage(task);
    assert.equal((await taskStore.get(task))?.state, 'SUCCESS', 'built when its message came back');
  });

  it('stops a build that lost the set to another, before its config.json, and leaves its task to be run again', async () => {
    const task = await submit('lease/lost.jpg');
    takenOverBeforeFirstRenewal('lease/lost.jpg');
    await assert.rejects(processTaskMessage(task), RetryLater);
    assert.equal(await objectStore.head('lease/lost.jpg/config.json'), undefined);
    assert.equal((await taskStore.get(task))?.state, 'RUNNING', 'not reported a success');
    assert.equal((await leaseItem('lease/lost.jpg'))?.claimId, 'another-build', 'the new holder keeps the set');
  });
});
