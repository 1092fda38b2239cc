import { renderCallback } from '../callback-forms.ts';
import { deliverCallback } from './deliver-callback.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the callback queue: one delivery attempt per message, in the form of the task's dialect. */
export const handler = sqsHandler((message) => deliverCallback(message, renderCallback));
