import { failDeadCallback } from './deliver-callback.ts';
import { failDeadTask } from './process-task.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the dead-letter queues: tasks end Failed and callbacks are recorded failed, never stuck. */
export const jobsHandler = sqsHandler(failDeadTask);
export const callbacksHandler = sqsHandler(failDeadCallback);
