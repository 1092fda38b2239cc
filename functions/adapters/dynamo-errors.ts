import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write lost: the item was not in the state the write required. */
export const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException;
