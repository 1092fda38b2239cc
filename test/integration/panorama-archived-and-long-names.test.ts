import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { defaultWorkspaceId } from '../../functions/core/workspaces.ts';
import { processTaskMessage } from '../support/lambdas.ts';
import { KmpClient } from '../support/kmp.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

// No worker loop: the test runs the worker's own message handler when it wants the set built.
const SECRET = 'panorama-fixes-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'pano' }, worker: false });
const CLIENT = () => stack.current.demo!.clientId;
const panorama = (fields: Parameters<typeof postForm>[1]) => postForm(`${stack.current.url}/panorama`, { secret_key: SECRET, ...fields });
const runWorker = (taskId: string) => processTaskMessage({ clientId: CLIENT(), taskId });
/** 2048×1024: a cube of 648, two levels of at most 2×2 tiles, so the set's longest path is `fallback/f.jpg`. */
const original = async () => ({ data: await gradientJpeg(2048, 1024), type: 'image/jpeg' });
const taskCount = async () => (await taskStore.listByClient(CLIENT(), { limit: 100, oldestFirst: false })).tasks.length;

async function submit(filename: string): Promise<string> {
  const answer = await panorama({ filename, filedata: await original() });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body.message as { task_id: string }).task_id;
}

describe('a panorama whose task a kmp client archived', () => {
  it('is still reported finished, with its files, as ARCHIVED', async () => {
    const taskId = await submit('pano/archived.jpg');
    await runWorker(taskId);
    const built = await panorama({ task_id: taskId });
    assert.equal(built.body.msg_code, 1, JSON.stringify(built.body));

    const kmp = new KmpClient(stack.current.url, { accessKey: CLIENT(), secretKey: SECRET });
    const archive = await kmp.request('POST', `/v1/real3d/${defaultWorkspaceId(CLIENT())}/tasks/${taskId}/archive`, {
      body: { archive: true },
    });
    assert.equal(archive.status, 200, JSON.stringify(archive.body));
    assert.equal((await taskStore.get({ clientId: CLIENT(), taskId }))?.state, 'ARCHIVED');

    // The same answer as before the archive (its files, msg_code 1), only the state says ARCHIVED.
    assert.deepEqual(await panorama({ task_id: taskId }), {
      status: 200,
      body: { message: { ...(built.body.message as object), state: 'ARCHIVED' }, msg_code: 1 },
    });
  });
});

describe('a panorama filename that leaves no room for its set under S3 1,024-byte keys', () => {
  // "pano/" and ".jpg", 100 two-byte characters (the limit counts UTF-8 bytes), and ASCII up to `bytes`.
  const nameOf = (bytes: number) => `pano/${'a'.repeat(bytes - 209)}${'é'.repeat(100)}.jpg`;

  it('is refused with the room it has, storing and queueing nothing', async () => {
    const filename = nameOf(1010);
    assert.equal(Buffer.byteLength(filename), 1010);
    const tasksBefore = await taskCount();
    assert.deepEqual(await panorama({ filename, filedata: await original() }), {
      status: 400,
      body: {
        message:
          "filename is 1010 bytes of UTF-8, too long for the panorama set under it: its file {filename}/fallback/f.jpg would pass S3's 1024-byte limit on a key; a filename of at most 1009 bytes leaves room",
        msg_code: 0,
      },
    });
    assert.equal(await objectStore.head(filename), undefined);
    assert.equal(await taskCount(), tasksBefore);
  });

  it('is taken when its longest file is exactly 1,024 bytes, and the set is built', async () => {
    const filename = nameOf(1009);
    const taskId = await submit(filename);
    await runWorker(taskId);
    const done = await panorama({ task_id: taskId });
    assert.equal(done.body.msg_code, 1, JSON.stringify(done.body));
    const files = (done.body.message as { files: string[] }).files;
    assert.equal(Math.max(...files.map((file) => Buffer.byteLength(file))), 1024);
    assert.ok(await objectStore.head(`${filename}/fallback/f.jpg`));
  });
});
