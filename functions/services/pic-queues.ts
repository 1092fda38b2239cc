import type { Client, PicQueue } from '../core/client.ts';
import { conflict } from '../core/errors.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { taskStore } from '../adapters/task-store.ts';
import { enqueueTask } from './task-queue.ts';
import { checkCallbackUrl } from './callback-url.ts';

export const DEFAULT_QUEUE: Omit<PicQueue, 'updatedAt'> = {
  name: 'queue-pic-process-1',
  state: 'Active',
  notify: { state: 'Off', resultFormat: 'XML' },
};

export const picQueueOf = (client: Client): PicQueue => client.picQueue ?? { ...DEFAULT_QUEUE, updatedAt: client.createdAt };

/**
 * Updates the client's one pic queue. Pausing holds jobs still waiting (the worker turns them to
 * Pause as it meets them; running ones finish); activating sends every paused job back to its queue.
 */
export async function updatePicQueue(client: Client, change: Omit<PicQueue, 'updatedAt'>): Promise<PicQueue> {
  const current = picQueueOf(client);
  const next: PicQueue = {
    ...change,
    notify: change.notify.state === 'On' ? { ...change.notify, url: checkCallbackUrl(change.notify.url ?? '') } : change.notify,
    updatedAt: new Date().toISOString(),
  };
  if (!(await clientRegistry.setPicQueue(client.clientId, next, client.picQueue?.updatedAt))) {
    throw conflict('the queue was changed by another request; read it again and retry');
  }
  if (current.state === 'Paused' && next.state === 'Active') await resumePaused(client);
  return next;
}

async function resumePaused(client: Client): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await taskStore.listByClient(client.clientId, { limit: 100, startKey });
    for (const task of page.tasks.filter((entry) => entry.state === 'PAUSED')) {
      const resumed = await taskStore
        .transition(task, 'resume', { version: task.version, set: { awaitingQueue: 'job' } })
        .catch(() => undefined);
      if (resumed) await enqueueTask(resumed);
    }
    startKey = page.nextKey;
  } while (startKey);
}
