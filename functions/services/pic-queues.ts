import type { Client, PicQueue } from '../core/client.ts';
import { conflict } from '../core/errors.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { taskStore, type Task } from '../adapters/task-store.ts';
import { logger } from '../logger.ts';
import { resumeTask } from './task-queue.ts';
import { checkCallbackUrl } from './callback-url.ts';

export const DEFAULT_QUEUE: Omit<PicQueue, 'updatedAt'> = {
  name: 'queue-pic-process-1',
  state: 'Active',
  notify: { state: 'Off', resultFormat: 'XML' },
};

export const picQueueOf = (client: Client): PicQueue => client.picQueue ?? { ...DEFAULT_QUEUE, updatedAt: client.createdAt };

/**
 * Updates the client's one pic queue. Pausing holds jobs still waiting (the worker turns them to
 * Pause as it meets them; running ones finish); activating sends every paused job back to its
 * queue. Only a change from Paused reads the client's tasks (an update of the notification
 * alone must not page through its history); a resume that fails or is cut short is finished by
 * the requeue job, which resumes marked PAUSED tasks of Active queues within minutes.
 */
export async function updatePicQueue(client: Client, change: Omit<PicQueue, 'updatedAt'>): Promise<PicQueue> {
  const next: PicQueue = {
    ...change,
    notify: change.notify.state === 'On' ? { ...change.notify, url: checkCallbackUrl(change.notify.url ?? '') } : change.notify,
    updatedAt: new Date().toISOString(),
  };
  if (!(await clientRegistry.setPicQueue(client.clientId, next, client.picQueue?.updatedAt))) {
    throw conflict('the queue was changed by another request; read it again and retry');
  }
  if (picQueueOf(client).state === 'Paused' && next.state === 'Active') await resumePaused(client);
  return next;
}

/**
 * Resumes the client's PAUSED tasks. One that cannot be resumed now is logged and left PAUSED,
 * with the awaitingQueue mark the worker gave it when it paused it, so the requeue job resumes
 * it; the others are not held up by it.
 */
async function resumePaused(client: Client): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await taskStore.listByClient(client.clientId, { limit: 100, startKey });
    for (const task of page.tasks.filter((entry) => entry.state === 'PAUSED')) await resumeOrLog(task);
    startKey = page.nextKey;
  } while (startKey);
}

async function resumeOrLog(task: Task): Promise<void> {
  try {
    await resumeTask(task);
  } catch (error) {
    logger.error('a paused task could not be resumed; the requeue job will resume it', { taskId: task.taskId, error: error as Error });
  }
}
