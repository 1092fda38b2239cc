import type { Message } from '@aws-sdk/client-sqs';
import { queues } from '../functions/adapters/queues.ts';
import { CONSUMERS } from '../functions/consumers.ts';
import type { QueueName } from '../functions/resources.ts';
import { readTaskMessage, type TaskMessage } from '../functions/services/task-queue.ts';
import { actingAs } from './iam-guard.ts';

export interface WorkerLoopOptions {
  /** Jobs processed at once (the machine has 2 cores). */
  readonly concurrency?: number;
  /** How long a received message stays invisible to other receivers. */
  readonly visibilitySeconds?: number;
  readonly idleMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface WorkerLoop {
  stop(): Promise<void>;
}

interface Consumer {
  readonly queue: QueueName;
  readonly handle: (message: TaskMessage) => Promise<void>;
}

/** The consumers of functions/consumers.ts, each queue in its listed order, split by whether they do image work. */
async function loadConsumers(): Promise<{ imageWork: Consumer[]; others: Consumer[] }> {
  const loaded = await Promise.all(
    CONSUMERS.map(async (consumer) => {
      const module = (await import(`../functions/${consumer.handler}`)) as { handle: Consumer['handle'] };
      // Each runs with its own Lambda's grants; receiving and deleting are the event source mapping's.
      const handle = (message: TaskMessage) => actingAs(consumer.access, () => module.handle(message));
      return consumer.queues.map(({ queue }) => ({ queue, handle, imageWork: Boolean(consumer.imageWork) }));
    }),
  );
  const all = loaded.flat();
  return { imageWork: all.filter((consumer) => consumer.imageWork), others: all.filter((consumer) => !consumer.imageWork) };
}

/**
 * What Lambda's event source mappings do on AWS, done locally: receive, run, delete on success,
 * leave for redelivery on failure. Queues are polled in the consumer table's order, so when the
 * loop is busy a JobLevel 2 job always starts before a waiting JobLevel 0 one; image work takes
 * at most `concurrency` slots (the machine has 2 cores).
 */
export function startWorkerLoop(options: WorkerLoopOptions = {}): WorkerLoop {
  const concurrency = options.concurrency ?? 2;
  const visibilitySeconds = options.visibilitySeconds ?? 60;
  const idleMs = options.idleMs ?? 100;
  const consumers = loadConsumers();
  let running = true;
  const inFlight = new Set<Promise<void>>();

  const run = (consumer: Consumer, message: Message) => {
    const task = readTaskMessage(message.Body);
    // A body that is not a task message can never succeed: dropped, as the Lambda handler does.
    const work = (task ? consumer.handle(task) : Promise.resolve())
      .then(() => queues.delete(consumer.queue, message.ReceiptHandle!))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };

  const receiveInto = async (consumers: readonly Consumer[], slots: number): Promise<number> => {
    let taken = 0;
    for (const consumer of consumers) {
      if (taken >= slots) break;
      const messages = await queues.receive(consumer.queue, { max: Math.min(10, slots - taken), waitSeconds: 0, visibilitySeconds });
      for (const message of messages) run(consumer, message);
      taken += messages.length;
    }
    return taken;
  };

  const loop = (async () => {
    const { imageWork, others } = await consumers;
    while (running) {
      try {
        const free = concurrency - inFlight.size;
        const taken = (free > 0 ? await receiveInto(imageWork, free) : 0) + (await receiveInto(others, 10));
        if (taken === 0) await new Promise((resolve) => setTimeout(resolve, inFlight.size ? idleMs / 4 : idleMs));
        else if (inFlight.size >= concurrency) await Promise.race(inFlight);
      } catch (error) {
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, idleMs));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
