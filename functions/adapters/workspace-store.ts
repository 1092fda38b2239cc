import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { WorkspaceDirectory } from '../core/workspaces.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';

const DIRECTORY = 'directory';

/**
 * Each client's workspaces, as one directory item: uniqueness of names, the 500-workspace and
 * 4-star limits hold in one conditional write on its version, with no transactions (which the
 * local emulator lacks). At most 500 small records: well inside DynamoDB's 400 KB item.
 */
export const workspaceStore = {
  async read(clientId: string): Promise<WorkspaceDirectory | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName('workspaces'), Key: { clientId, item: DIRECTORY }, ConsistentRead: true }),
    );
    return result.Item as (WorkspaceDirectory & { clientId: string }) | undefined;
  },

  /** Replaces the directory if it is still at `expected` (undefined: it must not exist yet). False when another change won. */
  async replace(clientId: string, next: WorkspaceDirectory, expected: number | undefined): Promise<boolean> {
    const written = await conditionalWrite({
      put: {
        TableName: tableName('workspaces'),
        Item: { clientId, item: DIRECTORY, ...next },
        ConditionExpression: expected === undefined ? 'attribute_not_exists(clientId)' : '#version = :version',
        ...(expected === undefined
          ? {}
          : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': expected } }),
      },
    });
    return written.won;
  },
};
