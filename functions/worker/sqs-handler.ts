import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { TaskMessage } from '../services/task-queue.ts';

/**
 * An SQS Lambda handler with partial batch failure reporting: each record runs on its own, and
 * only the records that threw go back to the queue (the event source mapping must enable
 * ReportBatchItemFailures, which the stack does).
 */
export function sqsHandler(handle: (message: TaskMessage) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (entry: SQSRecord) => handle(JSON.parse(entry.body) as TaskMessage);
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processPartialResponse(event, record, processor, { context });
}
