import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { multipartStore } from '../../functions/adapters/multipart-store.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { queues } from '../../functions/adapters/queues.ts';
import { ROUTES } from '../../functions/routes.ts';
import { actingAs, roleFor, takeDenials } from '../../local/iam-guard.ts';
import { useLocalStack } from '../support/local-stack.ts';

/**
 * local/iam-guard.ts: the local stack holds every handler to its Lambda's grants in
 * functions/access.ts, as IAM does on AWS, through the real SDK clients and emulators.
 */
useLocalStack({ worker: false });

const refusal = (name: string) => (error: unknown) => {
  const { $metadata } = error as { $metadata?: { httpStatusCode?: number } };
  assert.equal((error as Error).name, name);
  assert.equal($metadata?.httpStatusCode, 403);
  return true;
};

describe('the local IAM guard', () => {
  afterEach(() => assert.deepEqual(takeDenials(), [], 'each test takes the refusals it caused'));

  it('refuses an S3 action the role is not granted, with AWS’s AccessDenied, and records it', async () => {
    await objectStore.putGenerated('guard/a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    await assert.rejects(
      actingAs('platform', () => objectStore.head('guard/a.txt')),
      refusal('AccessDenied'),
    );
    assert.deepEqual(takeDenials(), [
      'platform is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::tessera-local/guard/a.txt because functions/access.ts grants it no such action',
    ]);
    assert.equal((await actingAs('storage', () => objectStore.head('guard/a.txt')))?.size, 1, 'a role granted it reads it');
  });

  it('refuses a DynamoDB action through the document client, naming the table', async () => {
    await assert.rejects(
      actingAs('storage', () => clientRegistry.list()),
      refusal('AccessDeniedException'),
    );
    assert.match(
      takeDenials().join('\n'),
      /^storage is not authorized to perform: dynamodb:Scan on resource: table\/tessera-local-ClientsTable /,
    );
  });

  it('refuses a send to a queue the role may not send to', async () => {
    await assert.rejects(
      actingAs('callbacks', () => queues.send('jobsLevel0', { clientId: 'x', taskId: 'y' })),
      refusal('AccessDenied'),
    );
    assert.match(takeDenials().join('\n'), /^callbacks is not authorized to perform: sqs:SendMessage on resource: /);
  });

  it('refuses to presign what the role could not do itself: the URL would be refused on use', async () => {
    const uploadId = await multipartStore.create('guard/big.bin', 'application/octet-stream');
    await assert.rejects(
      actingAs('ci', () => multipartStore.presignPart('guard/big.bin', uploadId, 1, 5, 60)),
      refusal('AccessDenied'),
    );
    assert.match(
      takeDenials().join('\n'),
      /^ci is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::tessera-local\/guard\/big\.bin /,
    );
    assert.match(await actingAs('ost', () => multipartStore.presignPart('guard/big.bin', uploadId, 1, 5, 60)), /X-Amz-Signature=/);
    await multipartStore.abort('guard/big.bin', uploadId);
  });

  it('holds a largeBodies route to its group plus the server’s own staging, and any other route to its group alone', () => {
    const upload = ROUTES.find((route) => route.path === '/upload')!;
    const info = ROUTES.find((route) => route.path === '/get_file_info')!;
    assert.equal(roleFor(upload).name, 'storage (large-body server)');
    assert.ok(roleFor(upload).access.objectActions?.includes('s3:DeleteObject'), 'it removes what it staged');
    assert.equal(roleFor(info).name, 'storage');
    assert.ok(!roleFor(info).access.objectActions?.includes('s3:DeleteObject'));
  });

  it('checks nothing outside a role: provisioning, the tests’ own setup, the event source mappings', async () => {
    await objectStore.putGenerated('guard/b.txt', Buffer.from('bb'), { contentType: 'text/plain' });
    assert.equal((await objectStore.head('guard/b.txt'))?.size, 2);
  });
});
