import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, created on first use so that whoever starts the process (Lambda, the local stack,
 * a test) has set the environment first. The endpoint is never set here: the SDK reads
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself, which is the one thing that differs
 * between AWS, LocalStack and the embedded emulators.
 */
const customEndpoint = () => Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3);

let s3Client: S3Client | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let kmsClient: KMSClient | undefined;
let sqsClient: SQSClient | undefined;

/** A plugin for a client's middleware stack: the SDK's own `Pluggable`. */
export type ClientPlugin = Parameters<S3Client['middlewareStack']['use']>[0];
let plugins: readonly ClientPlugin[] = [];

/** Plugs `list` into every client from now on (the local stack's IAM guard): the clients made so far are dropped. */
export function useClientPlugins(list: readonly ClientPlugin[]): void {
  resetAwsClients();
  plugins = list;
}

function plugged<T extends { middlewareStack: { use(plugin: never): void } }>(client: T): T {
  for (const plugin of plugins) client.middlewareStack.use(plugin as never);
  return client;
}

export function s3(): S3Client {
  s3Client ??= plugged(
    new S3Client({
      // Emulators and LocalStack serve one host, so bucket names go in the path.
      forcePathStyle: customEndpoint(),
      // Presigned URLs must not carry a checksum of an empty body (aws-sdk-js-v3 #6818).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
  return s3Client;
}

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(plugged(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function kms(): KMSClient {
  kmsClient ??= plugged(new KMSClient({}));
  return kmsClient;
}

export function sqs(): SQSClient {
  // Emulators name queue URLs after hosts that need not resolve; send to the configured endpoint.
  sqsClient ??= plugged(new SQSClient({ useQueueUrlAsEndpoint: !(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_SQS) }));
  return sqsClient;
}

/** For tests and the local stack, which restart emulators on new ports within one process. */
export function resetAwsClients(): void {
  s3Client?.destroy();
  documentClient?.destroy();
  kmsClient?.destroy();
  sqsClient?.destroy();
  sqsClient = undefined;
  s3Client = undefined;
  documentClient = undefined;
  kmsClient = undefined;
}
