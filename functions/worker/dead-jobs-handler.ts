import { failDeadTask } from './process-task.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the jobs' dead-letter queue: a task whose message kept failing ends Failed, never stuck. */
export const handle = failDeadTask;
export const handler = sqsHandler(handle);
