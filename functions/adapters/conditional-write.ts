import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamo } from './aws-clients.ts';

type PutInput = { readonly put: ConstructorParameters<typeof PutCommand>[0] };
type UpdateInput = { readonly update: ConstructorParameters<typeof UpdateCommand>[0] };
type DeleteInput = { readonly delete: ConstructorParameters<typeof DeleteCommand>[0] };

/** A conditional write's outcome: it won (with the attributes it asked for back), or its condition lost (with the item as it now is, when asked). */
export type WriteOutcome<T> =
  { readonly won: true; readonly item: T | undefined } | { readonly won: false; readonly current: T | undefined };

const command = (input: PutInput | UpdateInput | DeleteInput) =>
  'put' in input ? new PutCommand(input.put) : 'update' in input ? new UpdateCommand(input.update) : new DeleteCommand(input.delete);

const withOldItemOnFailure = (input: PutInput | UpdateInput | DeleteInput): PutInput | UpdateInput | DeleteInput => {
  if ('update' in input) return { update: { ...input.update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  if ('delete' in input) return { delete: { ...input.delete, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } };
  return input;
};

/**
 * Every conditional write in Tessera goes through here: a lost condition is a value, never an
 * exception; any other failure is thrown as it came. With `readCurrent`, a lost update or delete
 * also answers the item as it is: DynamoDB returns it with the failure
 * (ReturnValuesOnConditionCheckFailure), and where an emulator leaves it out (dynalite) it is
 * read back, consistently, by the same key.
 */
export async function conditionalWrite<T = Record<string, unknown>>(input: PutInput): Promise<WriteOutcome<T>>;
export async function conditionalWrite<T = Record<string, unknown>>(
  input: UpdateInput | DeleteInput,
  options?: { readonly readCurrent?: boolean },
): Promise<WriteOutcome<T>>;
export async function conditionalWrite<T>(
  input: PutInput | UpdateInput | DeleteInput,
  options: { readonly readCurrent?: boolean } = {},
): Promise<WriteOutcome<T>> {
  const target = 'put' in input ? undefined : 'update' in input ? input.update : input.delete;
  const request = options.readCurrent ? withOldItemOnFailure(input) : input;
  try {
    const result = (await dynamo().send(command(request) as UpdateCommand)) as { Attributes?: Record<string, unknown> };
    return { won: true, item: result.Attributes as T | undefined };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (!target || !options.readCurrent) return { won: false, current: undefined };
    if (error.Item) return { won: false, current: unmarshall(error.Item) as T };
    const reread = await dynamo().send(new GetCommand({ TableName: target.TableName, Key: target.Key, ConsistentRead: true }));
    return { won: false, current: reread.Item as T | undefined };
  }
}
