import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { dynamo, s3, sqs } from '../functions/adapters/aws-clients.ts';
import { BUCKET, QUEUES, TABLES, type KeyAttribute, type QueueName, type TableDefinition } from '../functions/resources.ts';

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
];

function attributeDefinitions(table: TableDefinition): AttributeDefinition[] {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = [table.partitionKey, table.sortKey, ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  for (const key of keys) if (key) attributes.set(key.name, key.type);
  return [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

async function createTable(name: string, table: TableDefinition): Promise<void> {
  try {
    await dynamo().send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        AttributeDefinitions: attributeDefinitions(table),
        GlobalSecondaryIndexes: table.indexes.length
          ? table.indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: index.include ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] } : { ProjectionType: 'ALL' },
            }))
          : undefined,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await dynamo().send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    await dynamo().send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  } catch {
    // dynalite has no TTL; expired records are then only ignored, not deleted.
  }
}

/** Creates the queues, dead-letter queues first, and puts their URLs in the environment. */
async function createQueues(): Promise<void> {
  const names = Object.keys(QUEUES) as QueueName[];
  const ordered = [...names.filter((name) => !('deadLetter' in QUEUES[name])), ...names.filter((name) => 'deadLetter' in QUEUES[name])];
  for (const name of ordered) {
    const queue = QUEUES[name];
    const attributes: Record<string, string> = { VisibilityTimeout: String(queue.visibilityTimeoutSeconds) };
    if ('deadLetter' in queue) {
      const { Attributes } = await sqs().send(
        new GetQueueAttributesCommand({ QueueUrl: process.env[QUEUES[queue.deadLetter].envVar]!, AttributeNames: ['QueueArn'] }),
      );
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: queue.maxReceiveCount });
    }
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `tessera-local-${queue.id}`, Attributes: attributes }));
    process.env[queue.envVar] = QueueUrl!;
  }
}

/**
 * Creates the bucket and tables the stack defines, under the names in the environment, if they
 * do not exist yet. Used for the embedded emulators and for LocalStack alike.
 */
export async function provisionResources(): Promise<void> {
  for (const table of Object.values(TABLES)) {
    await createTable(process.env[table.envVar]!, table);
  }
  await createQueues();
  const bucket = process.env[BUCKET.envVar]!;
  try {
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
  await s3().send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'abort-stale-multipart-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: BUCKET.abortIncompleteMultipartAfterDays },
          },
          {
            ID: 'expire-staged-slices',
            Status: 'Enabled',
            Filter: { Prefix: BUCKET.stagingPrefix },
            Expiration: { Days: BUCKET.stagingExpiryDays },
          },
        ],
      },
    }),
  );
}
