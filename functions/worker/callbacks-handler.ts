import { renderCallback } from '../callback-forms.ts';
import type { TaskMessage } from '../services/task-queue.ts';
import { deliverCallback } from './deliver-callback.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the callback queue: one delivery attempt per message, in the form of the task's dialect. */
export const handle = (message: TaskMessage) => deliverCallback(message, renderCallback);
export const handler = sqsHandler(handle);
