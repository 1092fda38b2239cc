import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../logger.ts';
import { readTaskMessage, type TaskMessage } from '../services/task-queue.ts';

/**
 * An SQS Lambda handler with partial batch failure reporting: each record runs on its own, and
 * only the records that threw go back to the queue (the event source mapping must enable
 * ReportBatchItemFailures, which the stack does). A body that is not a task message can never
 * succeed: it is logged and acknowledged rather than retried into the dead-letter queue.
 */
export function sqsHandler(handle: (message: TaskMessage) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (entry: SQSRecord) => {
    const message = readTaskMessage(entry.body);
    if (message) return handle(message);
    logger.error('dropped a queue message that is not a task message', { messageId: entry.messageId });
  };
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processPartialResponse(event, record, processor, { context });
}
