import { processTaskMessage } from './process-task.ts';
import { sqsHandler } from './sqs-handler.ts';

/** The worker: consumes the job queues of every level. */
export const handle = processTaskMessage;
export const handler = sqsHandler(handle);
