import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../core/errors.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
/** Where a name must be unique: a workspace's tasks (`within` = its id), or a task's subtasks (`task:<id>`). */
export interface NameScope {
  readonly clientId: string;
  readonly within: string;
}

/** Names are unique regardless of case (KooMap's rule). */
const folded = (name: string) => name.toLocaleLowerCase('en-US');

/** Whether two names are one name, one claim. */
export const sameTaskName = (name: string, other: string | undefined) => other !== undefined && folded(name) === folded(other);

const claimKey = (scope: NameScope, name: string) => ({
  clientId: scope.clientId,
  item: `name#${scope.within}#${folded(name)}`,
});

async function taskStillNamed(scope: NameScope, taskId: string, name: string): Promise<boolean> {
  const result = await dynamo().send(
    new GetCommand({ TableName: tableName('tasks'), Key: { clientId: scope.clientId, taskId }, ConsistentRead: true }),
  );
  const task = result.Item as { name?: string; tombstone?: boolean } | undefined;
  return Boolean(task && !task.tombstone && sameTaskName(name, task.name));
}

/**
 * Task (and subtask) names, one claim item each beside the workspace directory. A claim names
 * the task holding it; a claim whose task no longer holds the name (a writer that died between
 * claiming and writing, or after deleting) is taken over rather than blocking the name forever.
 */
export const taskNames = {
  async claim(scope: NameScope, name: string, taskId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await conditionalWrite<{ taskId: string }>(
        {
          update: {
            TableName: tableName('workspaces'),
            Key: claimKey(scope, name),
            UpdateExpression: 'SET taskId = :task',
            ConditionExpression: 'attribute_not_exists(taskId) OR taskId = :task',
            ExpressionAttributeValues: { ':task': taskId },
          },
        },
        { readCurrent: true },
      );
      if (claimed.won) return;
      const holder = claimed.current?.taskId;
      if (holder && (await taskStillNamed(scope, holder, name))) throw conflict(`the name ${name} is taken`, 'Duplicate');
      if (holder) {
        const takenOver = await conditionalWrite({
          update: {
            TableName: tableName('workspaces'),
            Key: claimKey(scope, name),
            UpdateExpression: 'SET taskId = :task',
            ConditionExpression: 'taskId = :holder',
            ExpressionAttributeValues: { ':task': taskId, ':holder': holder },
          },
        });
        if (takenOver.won) return;
      }
    }
    throw conflict(`the name ${name} is being claimed by another request; try again`, 'Busy');
  },

  /**
   * Gives back a name a write claimed and could not give the task, unless the task holds it now:
   * a claim that succeeded because the task already held it (another update of the same task, to
   * the same name, won meanwhile) is not the caller's to release.
   */
  async releaseUnlessHeld(scope: NameScope, name: string, taskId: string): Promise<void> {
    if (!(await taskStillNamed(scope, taskId, name))) await taskNames.release(scope, name, taskId);
  },

  async release(scope: NameScope, name: string, taskId: string): Promise<void> {
    await conditionalWrite({
      delete: {
        TableName: tableName('workspaces'),
        Key: claimKey(scope, name),
        ConditionExpression: 'taskId = :task',
        ExpressionAttributeValues: { ':task': taskId },
      },
    });
  },
};
