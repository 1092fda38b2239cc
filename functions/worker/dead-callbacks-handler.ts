import { failDeadCallback } from './deliver-callback.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the callbacks' dead-letter queue: a callback that kept failing is recorded failed. */
export const handle = failDeadCallback;
export const handler = sqsHandler(handle);
