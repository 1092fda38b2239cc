import type { GroupAccess } from '../functions/access.ts';
import { bucketName, QUEUES, queueUrl, TABLES, tableName, type QueueName, type TableName } from '../functions/resources.ts';

/** One IAM permission an AWS request needs: an action on a resource, as infra/access-policy.ts grants them. */
export type Permission =
  | { readonly on: 'object'; readonly action: string; readonly bucket: string; readonly key: string }
  | { readonly on: 'bucket'; readonly action: string; readonly bucket: string }
  | { readonly on: 'table'; readonly action: string; readonly table: string }
  | { readonly on: 'queue'; readonly action: string; readonly queueUrl: string }
  | { readonly on: 'key'; readonly action: string; readonly encryptionContext?: Readonly<Record<string, string>> };

type Input = Readonly<Record<string, unknown>>;

/**
 * S3's operations that are authorised as another action (the S3 User Guide's "actions, resources
 * and condition keys"): every write of an object's bytes is s3:PutObject, a HEAD is s3:GetObject.
 */
const S3_OBJECT_ACTIONS: Readonly<Record<string, string>> = {
  HeadObject: 's3:GetObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  ListParts: 's3:ListMultipartUploadParts',
};
const S3_BUCKET_ACTIONS: Readonly<Record<string, string>> = {
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
};

/** "bucket/a%20key?versionId=…" (CopySource) as the bucket and the decoded key. */
function copySource(source: string): { bucket: string; key: string } {
  const [path = ''] = source.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  return { bucket: path.slice(0, slash), key: decodeURIComponent(path.slice(slash + 1)) };
}

function s3Permissions(operation: string, input: Input): Permission[] {
  const bucket = String(input.Bucket);
  const bucketAction = S3_BUCKET_ACTIONS[operation];
  if (bucketAction) return [{ on: 'bucket', action: bucketAction, bucket }];
  const object = (action: string, key = String(input.Key)): Permission => ({ on: 'object', action, bucket, key });
  // Writing an object with tags is also a PutObjectTagging (S3 refuses the write without it).
  const tagging = input.Tagging ? [object('s3:PutObjectTagging')] : [];
  if (operation === 'CopyObject') {
    const source = copySource(String(input.CopySource));
    const read = (action: string): Permission => ({ on: 'object', action, ...source });
    // Copying the source's tags (the default) needs both tagging actions when it has any; the
    // guard cannot see whether it has, so it asks for them whenever tags would be copied.
    const tags = input.TaggingDirective === 'REPLACE' ? tagging : [read('s3:GetObjectTagging'), object('s3:PutObjectTagging')];
    return [object('s3:PutObject'), ...tags, read('s3:GetObject')];
  }
  if (operation === 'DeleteObjects') {
    const objects = ((input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? []).map(({ Key }) => String(Key));
    return objects.map((key) => object('s3:DeleteObject', key));
  }
  const action = S3_OBJECT_ACTIONS[operation] ?? `s3:${operation}`;
  return [object(action), ...(['PutObject', 'CreateMultipartUpload'].includes(operation) ? tagging : [])];
}

function dynamoPermissions(operation: string, input: Input): Permission[] {
  const action = `dynamodb:${operation}`;
  // A batch is authorised per table it names.
  const tables = operation.startsWith('Batch') ? Object.keys((input.RequestItems as object | undefined) ?? {}) : [String(input.TableName)];
  return tables.map((table) => ({ on: 'table', action, table }));
}

/** The permissions an SDK command (its client's and command's names, its input) needs. */
export function requiredPermissions(clientName: string, commandName: string, input: Input): Permission[] {
  const operation = commandName.replace(/Command$/, '');
  switch (clientName) {
    case 'S3Client':
      return s3Permissions(operation, input);
    case 'DynamoDBClient':
      return dynamoPermissions(operation, input);
    case 'SQSClient':
      // SendMessageBatch is authorised as sqs:SendMessage.
      return [{ on: 'queue', action: `sqs:${operation.replace(/^SendMessageBatch$/, 'SendMessage')}`, queueUrl: String(input.QueueUrl) }];
    case 'KMSClient':
      return [{ on: 'key', action: `kms:${operation}`, encryptionContext: input.EncryptionContext as Record<string, string> | undefined }];
    default:
      throw new Error(`no IAM model for ${clientName}`);
  }
}

const tableNamed = (name: string) => (Object.keys(TABLES) as TableName[]).find((table) => tableName(table) === name);
const queueAt = (url: string) => (Object.keys(QUEUES) as QueueName[]).find((queue) => queueUrl(queue) === url);

/** Whether `access` (an entry of functions/access.ts, as infra/access-policy.ts turns it into a policy) grants `permission`. */
export function grants(access: GroupAccess, permission: Permission): boolean {
  switch (permission.on) {
    case 'object':
      return permission.bucket === bucketName() && Boolean(access.objectActions?.includes(permission.action));
    case 'bucket':
      return permission.bucket === bucketName() && Boolean(access.bucketActions?.includes(permission.action));
    case 'table': {
      const table = tableNamed(permission.table);
      return Boolean(table && access.tables?.[table]?.includes(permission.action));
    }
    case 'queue': {
      const queue = queueAt(permission.queueUrl);
      return permission.action === 'sqs:SendMessage' && Boolean(queue && access.queues?.includes(queue));
    }
    case 'key':
      if (permission.action === 'kms:Decrypt') return Boolean(access.openSecrets);
      return permission.action === 'kms:Encrypt' && Boolean(access.sealContexts?.includes(permission.encryptionContext?.clientId ?? ''));
  }
}

/** How AWS names the resource in its AccessDenied message. */
export function describeResource(permission: Permission): string {
  switch (permission.on) {
    case 'object':
      return `arn:aws:s3:::${permission.bucket}/${permission.key}`;
    case 'bucket':
      return `arn:aws:s3:::${permission.bucket}`;
    case 'table':
      return `table/${permission.table}`;
    case 'queue':
      return permission.queueUrl;
    case 'key':
      return `the sealing key${permission.encryptionContext ? ` (encryption context ${JSON.stringify(permission.encryptionContext)})` : ''}`;
  }
}
