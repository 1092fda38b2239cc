import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { queueUrl, type QueueName } from '../resources.ts';
import { sqs } from './aws-clients.ts';

/** SQS, by queue name. Messages are small JSON references; the state lives in DynamoDB. */
export const queues = {
  async send(queue: QueueName, body: unknown, delaySeconds = 0): Promise<void> {
    await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: JSON.stringify(body), DelaySeconds: delaySeconds }));
  },

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number }): Promise<Message[]> {
    const result = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl(queue),
        MaxNumberOfMessages: options.max,
        WaitTimeSeconds: options.waitSeconds,
        VisibilityTimeout: options.visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return result.Messages ?? [];
  },

  async delete(queue: QueueName, receiptHandle: string): Promise<void> {
    await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrl(queue), ReceiptHandle: receiptHandle }));
  },
};
