import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context, SQSEvent } from 'aws-lambda';
import { readTaskMessage, type TaskMessage } from '../../functions/services/task-queue.ts';
import { sqsHandler } from '../../functions/worker/sqs-handler.ts';

const TASK = { clientId: 'tc0123456789abcdef', taskId: `j${'0'.repeat(32)}` };

const event = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, index) => ({
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  })),
});

describe('task messages on the queues', () => {
  it('are read only when they name a task by a client id and a task id of the right shapes', () => {
    assert.deepEqual(readTaskMessage(JSON.stringify(TASK)), TASK);
    for (const body of [
      '',
      'not json',
      '[]',
      '{}',
      JSON.stringify({ ...TASK, taskId: 'j1' }),
      JSON.stringify({ ...TASK, clientId: 'x'.repeat(2049) }),
      JSON.stringify({ clientId: 1, taskId: TASK.taskId }),
    ]) {
      assert.equal(readTaskMessage(body), undefined, body);
    }
  });

  it('a body that is not one is dropped (acknowledged, never handled); a failing one goes back', async () => {
    const handled: TaskMessage[] = [];
    const handler = sqsHandler(async (message) => {
      handled.push(message);
      if (message.clientId === 'tcfails') throw new Error('infrastructure');
    });
    const result = await handler(event('garbage', JSON.stringify(TASK), JSON.stringify({ ...TASK, clientId: 'tcfails' })), {
      awsRequestId: 'r',
    } as Context);
    assert.deepEqual(
      handled.map((message) => message.clientId),
      [TASK.clientId, 'tcfails'],
    );
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm2' }]);
  });
});
