import { processTaskMessage } from './process-task.ts';
import { sqsHandler } from './sqs-handler.ts';

/** The worker Lambda: consumes the job queues of every level. */
export const handler = sqsHandler(processTaskMessage);
