import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueName } from '../../functions/resources.ts';

/** Every queue of functions/resources.ts: SSE, TLS only, dead-letter queues wired as declared. */
export class JobQueues extends Construct {
  readonly byName = {} as Record<QueueName, Queue>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const names = Object.keys(QUEUES) as QueueName[];
    const deadLettersFirst = [
      ...names.filter((name) => !('deadLetter' in QUEUES[name])),
      ...names.filter((name) => 'deadLetter' in QUEUES[name]),
    ];
    for (const name of deadLettersFirst) {
      const definition = QUEUES[name];
      this.byName[name] = new Queue(this, definition.id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.DESTROY,
        ...('deadLetter' in definition
          ? { deadLetterQueue: { queue: this.byName[definition.deadLetter], maxReceiveCount: definition.maxReceiveCount } }
          : {}),
      });
    }
  }
}
