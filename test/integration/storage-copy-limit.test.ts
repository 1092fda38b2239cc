import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { s3 } from '../../functions/adapters/aws-clients.ts';
import { MAX_COPY_BYTES, objectStore } from '../../functions/adapters/object-store.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';

const SECRET = 'copy-limit-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'demo' }, worker: false });

const upload = (fields: Parameters<typeof postForm>[1]) => postForm(`${stack.current.url}/upload`, { secret_key: SECRET, ...fields });

const FAKE_SIZE = 'tessera-test-fake-size';
type Next = (args: { input: { Key?: string } }) => Promise<{ output: { ContentLength?: number } }>;
interface SizeFakingStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
}

/**
 * HEAD of `key` answers `size`: an object over 5 GiB cannot be made on this machine, and the
 * emulator cannot copy one part by part anyway (it has no UploadPartCopy).
 */
function headAnswersSize(key: string, size: number): void {
  (s3().middlewareStack as unknown as SizeFakingStack).add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'HeadObjectCommand' && args.input.Key === key) result.output.ContentLength = size;
      return result;
    },
    { step: 'initialize', name: FAKE_SIZE },
  );
}

afterEach(() => {
  s3().middlewareStack.remove(FAKE_SIZE);
});

describe('a Tessera download URL of an own file over 5 GiB', () => {
  it('is refused with the limit before anything is copied', async () => {
    assert.equal((await upload({ filename: 'demo/huge.bin', filedata: { data: 'stands for 5 GiB and a byte' } })).status, 200);
    const info = await postForm(`${stack.current.url}/get_file_info`, { secret_key: SECRET, filename: 'demo/huge.bin' });
    const { url } = info.body.message as { url: string };

    headAnswersSize('demo/huge.bin', MAX_COPY_BYTES + 1);
    const answer = await upload({ filename: 'demo/huge-copy.bin', source: url });
    assert.deepEqual(answer, {
      status: 400,
      body: { message: 'source file is 5368709121 bytes, over the 5 GiB (5368709120-byte) limit of a copy inside the bucket', msg_code: 0 },
    });
    assert.equal(await objectStore.head('demo/huge-copy.bin'), undefined, 'nothing is copied');

    // At exactly 5 GiB the copy goes ahead (here the real, small object is what S3 copies).
    s3().middlewareStack.remove(FAKE_SIZE);
    headAnswersSize('demo/huge.bin', MAX_COPY_BYTES);
    assert.deepEqual(await upload({ filename: 'demo/huge-copy.bin', source: url }), { status: 200, body: { message: 'OK', msg_code: 1 } });
  });
});
