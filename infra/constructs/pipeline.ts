import { fileURLToPath } from 'node:url';
import { Duration, Size, Validations } from 'aws-cdk-lib';
import type { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { CONSUMERS } from '../../functions/consumers.ts';
import { FONT_ENVIRONMENT } from '../font-files.ts';
import { TesseraFunction, type SharedResources } from './tessera-function.ts';

const entry = (path: string) => fileURLToPath(new URL(`../../functions/${path}`, import.meta.url));

/**
 * The asynchronous side, from the consumer table (functions/consumers.ts): the worker (sharp and
 * its fonts from the layer) on the three job queues, callback delivery, and the dead-letter consumers that end
 * what could not be processed.
 *
 * Priority on AWS: each JobLevel queue has its own event source mapping, and a higher level may
 * run more workers at once, so when the pipeline is busy higher levels get most of the capacity.
 * That is weighted, not strict; the local worker loop is strict.
 */
export class Pipeline extends Construct {
  constructor(scope: Construct, id: string, resources: SharedResources & { sharpLayer: LayerVersion }) {
    super(scope, id);
    for (const consumer of CONSUMERS) {
      const { fn } = new TesseraFunction(this, consumer.name, {
        access: consumer.access,
        entry: entry(consumer.handler),
        description: consumer.description,
        timeout: Duration.seconds(consumer.timeoutSeconds),
        ...(consumer.memoryMB ? { memorySize: consumer.memoryMB } : {}),
        ...(consumer.ephemeralStorageMB ? { ephemeralStorageSize: Size.mebibytes(consumer.ephemeralStorageMB) } : {}),
        ...(consumer.imageWork ? { layers: [resources.sharpLayer] } : {}),
        environment: { ...(consumer.imageWork ? FONT_ENVIRONMENT : {}), ...consumer.environment },
        resources,
      });
      for (const { queue, maxConcurrency } of consumer.queues) {
        fn.addEventSource(
          new SqsEventSource(resources.queues.byName[queue], {
            batchSize: consumer.batchSize,
            reportBatchItemFailures: true,
            ...(maxConcurrency ? { maxConcurrency } : {}),
          }),
        );
      }
      if (consumer.deadLetters) {
        Validations.of(fn).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: 'These consume the dead-letter queues themselves; a message they cannot handle stays there for an operator.',
        });
      }
    }
  }
}
