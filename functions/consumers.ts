import { PANORAMA_MAX_PIXELS } from './config.ts';
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
  /** Scratch space in /tmp, when it needs more than Lambda's 512 MB. */
  readonly ephemeralStorageMB?: number;
  /** Runs image work: needs the sharp layer, and takes the worker loop's limited slots locally. */
  readonly imageWork?: boolean;
  /** Consumes a dead-letter queue: what it cannot handle stays there for an operator. */
  readonly deadLetters?: boolean;
  /** Set in its Lambda's environment, and in the bench's builds, which measure the worker as it runs. */
  readonly environment?: Readonly<Record<string, string>>;
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
    // One message per instance: the memory below is sized for one build of the largest panorama.
    batchSize: 1,
    // Sized from `npm run bench` (panorama section): a 32768×16384 build (the default pixel limit)
    // peaks at ~2.9 GB RSS; 3584 MB leaves a quarter more and buys ~2 vCPUs of time (the projection
    // runs on two threads beside sharp's). The decoder streams the panorama through /tmp (3 bytes
    // a pixel) into the kernel's memory: 1.5 GiB at the limit, plus room. The build there takes
    // 21–26 s on 2 cores; the timeout leaves room for reading the original and writing ~3,500
    // tiles, and the queues' 1800 s visibility is six times it, as AWS recommends.
    timeoutSeconds: 300,
    memoryMB: 3584,
    ephemeralStorageMB: Math.ceil((PANORAMA_MAX_PIXELS * 3) / 2 ** 20) + 512,
    imageWork: true,
    // libuv's pool runs sharp's encodes (one libvips thread each here): one thread for each vCPU
    // of time the memory buys (1,769 MB each, so ~2 here; Lambda shows 3 cores from 3,539 MB but
    // caps their time), beside the projection's two threads. Node's default of 4 oversubscribed
    // 2 cores: 8K builds took ~5–10% longer in alternating runs (docs/panorama.md).
    environment: { UV_THREADPOOL_SIZE: '2' },
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
