import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { GroupAccess } from '../functions/access.ts';
import { TABLES, type TableName } from '../functions/resources.ts';
import type { SharedResources } from './constructs/tessera-function.ts';

/**
 * Gives `role` exactly what an entry of functions/access.ts allows: object and bucket actions on
 * the files bucket, the named actions on each table (and its indexes when it queries), SendMessage
 * on its queues, Decrypt with the sealing key, Encrypt under its own encryption contexts only.
 */
export function grantAccess(role: IRole, access: GroupAccess, { storage, tables, sealingKey, queues }: SharedResources): void {
  const statements: PolicyStatement[] = [];
  const bucket = storage.bucket;
  if (access.objectActions?.length) {
    statements.push(new PolicyStatement({ actions: [...access.objectActions], resources: [bucket.arnForObjects('*')] }));
  }
  if (access.bucketActions?.length) {
    statements.push(new PolicyStatement({ actions: [...access.bucketActions], resources: [bucket.bucketArn] }));
  }
  for (const [name, actions] of Object.entries(access.tables ?? {})) {
    const table = tables.byName[name as TableName];
    const indexes = TABLES[name as TableName].indexes.map((index) => `${table.tableArn}/index/${index.name}`);
    const queries = actions.includes('dynamodb:Query');
    statements.push(new PolicyStatement({ actions: [...actions], resources: [table.tableArn, ...(queries ? indexes : [])] }));
  }
  for (const name of access.queues ?? []) {
    statements.push(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues.byName[name].queueArn] }));
  }
  if (access.openSecrets) sealingKey.key.grantDecrypt(role);
  if (access.sealContexts?.length) {
    statements.push(
      new PolicyStatement({
        actions: ['kms:Encrypt'],
        resources: [sealingKey.key.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:clientId': [...access.sealContexts] } },
      }),
    );
  }
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  if (access.objectActions?.length) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(role).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
      reason:
        "Clients choose their own object keys inside their namespaces, so object actions apply to the bucket's objects; tenant isolation is enforced by the handlers.",
    });
  }
}
