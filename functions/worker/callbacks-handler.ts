import { deliverCallback } from './deliver-callback.ts';
import { sqsHandler } from './sqs-handler.ts';

/** Consumes the callback queue: one delivery attempt per message. */
export const handler = sqsHandler((message) => deliverCallback(message));
