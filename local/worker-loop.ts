import type { Message } from '@aws-sdk/client-sqs';
import { queues } from '../functions/adapters/queues.ts';
import { JOB_QUEUES, type QueueName } from '../functions/resources.ts';
import type { TaskMessage } from '../functions/services/task-queue.ts';
import { renderCallback } from '../functions/callback-forms.ts';
import { deliverCallback, failDeadCallback } from '../functions/worker/deliver-callback.ts';
import { failDeadTask, processTaskMessage } from '../functions/worker/process-task.ts';

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

/**
 * What Lambda's event source mappings do on AWS, done locally: receive, run, delete on success,
 * leave for redelivery on failure. Job queues are polled highest level first, so when the loop
 * is busy a JobLevel 2 job always starts before a waiting JobLevel 0 one.
 */
export function startWorkerLoop(options: WorkerLoopOptions = {}): WorkerLoop {
  const concurrency = options.concurrency ?? 2;
  const visibilitySeconds = options.visibilitySeconds ?? 60;
  const idleMs = options.idleMs ?? 100;
  const jobs: Consumer[] = [...JOB_QUEUES].reverse().map((queue) => ({ queue, handle: processTaskMessage }));
  const others: Consumer[] = [
    { queue: 'callbacks', handle: (message) => deliverCallback(message, renderCallback) },
    { queue: 'jobsDead', handle: failDeadTask },
    { queue: 'callbacksDead', handle: failDeadCallback },
  ];
  let running = true;
  const inFlight = new Set<Promise<void>>();

  const run = (consumer: Consumer, message: Message) => {
    const work = consumer
      .handle(JSON.parse(message.Body ?? '{}') as TaskMessage)
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
    while (running) {
      try {
        const free = concurrency - inFlight.size;
        const taken = (free > 0 ? await receiveInto(jobs, free) : 0) + (await receiveInto(others, 10));
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
