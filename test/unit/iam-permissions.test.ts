import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GROUP_ACCESS } from '../../functions/access.ts';
import { BUCKET, QUEUES, TABLES } from '../../functions/resources.ts';
import { grants, requiredPermissions } from '../../local/iam-permissions.ts';

const BUCKET_NAME = 'files-bucket';
const object = (action: string, key: string, bucket = BUCKET_NAME) => ({ on: 'object', action, bucket, key }) as const;

before(() => {
  process.env[BUCKET.envVar] = BUCKET_NAME;
  for (const [name, table] of Object.entries(TABLES)) process.env[table.envVar] = `table-${name}`;
  for (const [name, queue] of Object.entries(QUEUES)) process.env[queue.envVar] = `https://sqs.local/queue-${name}`;
});

describe('the IAM permissions an SDK command needs', () => {
  it('authorises S3’s object operations as the actions IAM names them by', () => {
    const key = { Bucket: BUCKET_NAME, Key: 'ns/a.jpg' };
    assert.deepEqual(requiredPermissions('S3Client', 'HeadObjectCommand', key), [object('s3:GetObject', 'ns/a.jpg')]);
    assert.deepEqual(requiredPermissions('S3Client', 'UploadPartCommand', key), [object('s3:PutObject', 'ns/a.jpg')]);
    assert.deepEqual(requiredPermissions('S3Client', 'CompleteMultipartUploadCommand', key), [object('s3:PutObject', 'ns/a.jpg')]);
    assert.deepEqual(requiredPermissions('S3Client', 'PutObjectTaggingCommand', key), [object('s3:PutObjectTagging', 'ns/a.jpg')]);
  });

  it('asks for PutObjectTagging beside PutObject when a write carries tags', () => {
    assert.deepEqual(requiredPermissions('S3Client', 'PutObjectCommand', { Bucket: BUCKET_NAME, Key: 't/0.jpg', Tagging: 'a=b' }), [
      object('s3:PutObject', 't/0.jpg'),
      object('s3:PutObjectTagging', 't/0.jpg'),
    ]);
    assert.deepEqual(requiredPermissions('S3Client', 'PutObjectCommand', { Bucket: BUCKET_NAME, Key: 't/0.jpg' }), [
      object('s3:PutObject', 't/0.jpg'),
    ]);
  });

  it('reads a copy’s source, decoded from CopySource, besides writing its target', () => {
    const copy = {
      Bucket: BUCKET_NAME,
      Key: 'ns/b c.jpg',
      CopySource: `${BUCKET_NAME}/ns/a%20%C3%A9.jpg?versionId=3`,
      TaggingDirective: 'REPLACE',
    };
    assert.deepEqual(requiredPermissions('S3Client', 'CopyObjectCommand', copy), [
      object('s3:PutObject', 'ns/b c.jpg'),
      object('s3:GetObject', 'ns/a é.jpg'),
    ]);
  });

  it('asks for both tagging actions when a copy takes its source’s tags, as it does by default', () => {
    const copy = { Bucket: BUCKET_NAME, Key: 'ns/b.jpg', CopySource: `${BUCKET_NAME}/ns/a.jpg` };
    assert.deepEqual(requiredPermissions('S3Client', 'CopyObjectCommand', copy), [
      object('s3:PutObject', 'ns/b.jpg'),
      object('s3:GetObjectTagging', 'ns/a.jpg'),
      object('s3:PutObjectTagging', 'ns/b.jpg'),
      object('s3:GetObject', 'ns/a.jpg'),
    ]);
  });

  it('authorises a multi-object delete per key, and listing on the bucket', () => {
    const deletion = { Bucket: BUCKET_NAME, Delete: { Objects: [{ Key: 'x/1' }, { Key: 'x/2' }] } };
    assert.deepEqual(requiredPermissions('S3Client', 'DeleteObjectsCommand', deletion), [
      object('s3:DeleteObject', 'x/1'),
      object('s3:DeleteObject', 'x/2'),
    ]);
    assert.deepEqual(requiredPermissions('S3Client', 'ListObjectsV2Command', { Bucket: BUCKET_NAME, Prefix: 'x/' }), [
      { on: 'bucket', action: 's3:ListBucket', bucket: BUCKET_NAME },
    ]);
  });

  it('authorises DynamoDB per table, a batch per table it names', () => {
    assert.deepEqual(requiredPermissions('DynamoDBClient', 'QueryCommand', { TableName: 'table-tasks', IndexName: 'x' }), [
      { on: 'table', action: 'dynamodb:Query', table: 'table-tasks' },
    ]);
    assert.deepEqual(requiredPermissions('DynamoDBClient', 'BatchGetItemCommand', { RequestItems: { 'table-a': {}, 'table-b': {} } }), [
      { on: 'table', action: 'dynamodb:BatchGetItem', table: 'table-a' },
      { on: 'table', action: 'dynamodb:BatchGetItem', table: 'table-b' },
    ]);
  });

  it('authorises a batch send as SendMessage, and every other queue operation as itself', () => {
    const url = 'https://sqs.local/queue-callbacks';
    assert.deepEqual(requiredPermissions('SQSClient', 'SendMessageBatchCommand', { QueueUrl: url }), [
      { on: 'queue', action: 'sqs:SendMessage', queueUrl: url },
    ]);
    assert.deepEqual(requiredPermissions('SQSClient', 'ReceiveMessageCommand', { QueueUrl: url }), [
      { on: 'queue', action: 'sqs:ReceiveMessage', queueUrl: url },
    ]);
  });
});

describe('what an entry of functions/access.ts grants', () => {
  it('grants object actions on the files bucket only', () => {
    assert.equal(grants(GROUP_ACCESS.worker!, object('s3:PutObjectTagging', 'ns/t.jpg')), true);
    assert.equal(grants(GROUP_ACCESS.storage!, object('s3:PutObjectTagging', 'ns/t.jpg')), false);
    assert.equal(grants(GROUP_ACCESS.worker!, object('s3:GetObject', 'ns/t.jpg', 'another-bucket')), false);
    assert.equal(grants(GROUP_ACCESS.platform!, object('s3:GetObject', 'ns/t.jpg')), false);
  });

  it('grants a table’s listed actions, on that table only', () => {
    assert.equal(grants(GROUP_ACCESS.worker!, { on: 'table', action: 'dynamodb:PutItem', table: 'table-objects' }), true);
    assert.equal(grants(GROUP_ACCESS.worker!, { on: 'table', action: 'dynamodb:PutItem', table: 'table-clients' }), false);
    assert.equal(grants(GROUP_ACCESS.worker!, { on: 'table', action: 'dynamodb:Query', table: 'table-tasks' }), false);
    assert.equal(grants(GROUP_ACCESS.worker!, { on: 'table', action: 'dynamodb:GetItem', table: 'not-a-tessera-table' }), false);
  });

  it('grants SendMessage on the listed queues and nothing else on any', () => {
    const callbacks = 'https://sqs.local/queue-callbacks';
    assert.equal(grants(GROUP_ACCESS.callbacks!, { on: 'queue', action: 'sqs:SendMessage', queueUrl: callbacks }), true);
    assert.equal(grants(GROUP_ACCESS.callbacks!, { on: 'queue', action: 'sqs:ReceiveMessage', queueUrl: callbacks }), false);
    assert.equal(grants(GROUP_ACCESS.storage!, { on: 'queue', action: 'sqs:SendMessage', queueUrl: callbacks }), false);
  });

  it('lets the sealing key encrypt only under the group’s own contexts, and decrypt where secrets are opened', () => {
    const sealAs = (clientId: string) => ({ on: 'key', action: 'kms:Encrypt', encryptionContext: { clientId } }) as const;
    const [signingKeyContext] = GROUP_ACCESS.auth!.sealContexts!;
    assert.equal(grants(GROUP_ACCESS.auth!, sealAs(signingKeyContext!)), true);
    assert.equal(grants(GROUP_ACCESS.auth!, sealAs('tcsomeclient000000001')), false);
    assert.equal(grants(GROUP_ACCESS.ci!, { on: 'key', action: 'kms:Decrypt' }), true);
    assert.equal(grants(GROUP_ACCESS.storage!, { on: 'key', action: 'kms:Decrypt' }), false);
  });
});
