import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { JOB_QUEUES } from '../../functions/resources.ts';
import { TesseraFunction, type SharedResources } from './tessera-function.ts';

const entry = (path: string) => fileURLToPath(new URL(`../../functions/${path}`, import.meta.url));

/**
 * The asynchronous side: the worker (sharp from the layer) on the three job queues, callback
 * delivery, and the dead-letter consumers that end what could not be processed.
 *
 * Priority on AWS: each JobLevel queue has its own event source mapping, and a higher level may
 * run more workers at once (MaximumConcurrency 20 / 10 / 4 for levels 2 / 1 / 0), so when the
 * pipeline is busy higher levels get most of the capacity. That is weighted, not strict; the
 * local worker loop is strict (it always drains level 2 first).
 */
export class Pipeline extends Construct {
  constructor(scope: Construct, id: string, resources: SharedResources & { sharpLayer: LayerVersion }) {
    super(scope, id);
    const { queues } = resources;
    const worker = new TesseraFunction(this, 'worker', {
      access: 'worker',
      entry: entry('worker/jobs-handler.ts'),
      description: 'Tessera job worker (sharp)',
      // Measured in the bench; the queues' 720 s visibility is six times this, as AWS recommends.
      // Sized from `npm run bench` (panorama section): a 16384×8192 build peaks at ~1.16 GB RSS and
      // takes 4.3–5.5 s on 2 cores. 3008 MB leaves 2.6× that memory and gets Lambda's ~2 vCPUs; the
      // timeout leaves >20× the build time for reading the original and writing ~1000 tiles.
      timeout: Duration.seconds(120),
      memorySize: 3008,
      layers: [resources.sharpLayer],
      resources,
    });
    const concurrency = [4, 10, 20];
    JOB_QUEUES.forEach((name, level) => {
      worker.fn.addEventSource(
        new SqsEventSource(queues.byName[name], { batchSize: 2, reportBatchItemFailures: true, maxConcurrency: concurrency[level] }),
      );
    });

    const callbacks = new TesseraFunction(this, 'callbacks', {
      access: 'callbacks',
      entry: entry('worker/callbacks-handler.ts'),
      description: 'Tessera callback delivery',
      timeout: Duration.seconds(30),
      resources,
    });
    callbacks.fn.addEventSource(new SqsEventSource(queues.byName.callbacks, { batchSize: 5, reportBatchItemFailures: true }));

    const deadLetters = [
      { id: 'dead-jobs', handler: 'jobsHandler', queue: queues.byName.jobsDead, description: 'Tessera dead-letter jobs: end them Failed' },
      { id: 'dead-callbacks', handler: 'callbacksHandler', queue: queues.byName.callbacksDead, description: 'Tessera dead-letter callbacks: record them failed' },
    ];
    for (const { id: name, handler, queue, description } of deadLetters) {
      const { fn } = new TesseraFunction(this, name, {
        access: 'dead-letters',
        entry: entry('worker/dead-letters-handler.ts'),
        handler,
        description,
        timeout: Duration.seconds(30),
        resources,
      });
      fn.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'These consume the dead-letter queues themselves; a message they cannot handle stays there for an operator.',
      });
    }
  }
}
