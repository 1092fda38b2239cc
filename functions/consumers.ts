import type { QueueName } from './resources.ts';

/**
 * Every queue consumer Tessera runs. The CDK stack gives each its own Lambda with an event source
 * per queue; `npm start`'s worker loop polls the same queues in the order listed (strictly, so a
 * higher JobLevel is always taken first). `handler` is relative to functions/ and exports
 * `handler` (the SQS Lambda handler) and `handle` (one message).
 */
export interface Consumer {
  readonly name: string;
  /** Its key in GROUP_ACCESS (functions/access.ts). */
  readonly access: string;
  readonly handler: string;
  readonly description: string;
  /** Highest priority first; on AWS a higher level may run more at once. */
  readonly queues: ReadonlyArray<{ readonly queue: QueueName; readonly maxConcurrency?: number }>;
  readonly batchSize: number;
  readonly timeoutSeconds: number;
  readonly memoryMB?: number;
  /** Runs image work: needs the sharp layer, and takes the worker loop's limited slots locally. */
  readonly imageWork?: boolean;
  /** Consumes a dead-letter queue: what it cannot handle stays there for an operator. */
  readonly deadLetters?: boolean;
}

export const CONSUMERS: readonly Consumer[] = [
  {
    name: 'worker',
    access: 'worker',
    handler: 'worker/jobs-handler.ts',
    description: 'Tessera job worker (sharp)',
    // Weighted on AWS (20 / 10 / 4 at once for levels 2 / 1 / 0), strict in the local loop.
    queues: [
      { queue: 'jobsLevel2', maxConcurrency: 20 },
      { queue: 'jobsLevel1', maxConcurrency: 10 },
      { queue: 'jobsLevel0', maxConcurrency: 4 },
    ],
    batchSize: 2,
    // Sized from `npm run bench` (panorama section): a 16384×8192 build peaks at ~1.16 GB RSS and
    // takes 4.3–5.5 s on 2 cores. 3008 MB leaves 2.6× that memory and gets Lambda's ~2 vCPUs; the
    // timeout leaves >20× the build time for reading the original and writing ~1000 tiles, and the
    // queues' 720 s visibility is six times it, as AWS recommends.
    timeoutSeconds: 120,
    memoryMB: 3008,
    imageWork: true,
  },
  {
    name: 'callbacks',
    access: 'callbacks',
    handler: 'worker/callbacks-handler.ts',
    description: 'Tessera callback delivery',
    queues: [{ queue: 'callbacks' }],
    batchSize: 5,
    timeoutSeconds: 30,
  },
  {
    name: 'dead-jobs',
    access: 'dead-letters',
    handler: 'worker/dead-jobs-handler.ts',
    description: 'Tessera dead-letter jobs: end them Failed',
    queues: [{ queue: 'jobsDead' }],
    batchSize: 10,
    timeoutSeconds: 30,
    deadLetters: true,
  },
  {
    name: 'dead-callbacks',
    access: 'dead-letters',
    handler: 'worker/dead-callbacks-handler.ts',
    description: 'Tessera dead-letter callbacks: record them failed',
    queues: [{ queue: 'callbacksDead' }],
    batchSize: 10,
    timeoutSeconds: 30,
    deadLetters: true,
  },
];
