import * as z from 'zod/mini';
import { CLIENT_ID_PATTERN } from '../core/client.ts';
import { isTesseraError } from '../core/errors.ts';
import { TASK_KEY_PATTERN } from '../core/task-id.ts';
import { JOB_QUEUES } from '../resources.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { queues } from '../adapters/queues.ts';
import { taskStore, type Task, type TaskKey } from '../adapters/task-store.ts';
import { logger } from '../logger.ts';

/** What a job or callback queue message carries: which task; the task's state is in DynamoDB. */
const TaskMessageSchema = z.object({
  clientId: z.string().check(z.regex(CLIENT_ID_PATTERN)),
  taskId: z.string().check(z.regex(TASK_KEY_PATTERN)),
});

export type TaskMessage = z.infer<typeof TaskMessageSchema>;

/** A queue message's body as a task message, or undefined when it is not one. */
export function readTaskMessage(body: string | undefined): TaskMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const parsed = TaskMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Puts a task's message on the queue of its level and then clears its awaitingQueue mark. If
 * the send fails, the mark stays and the requeue job sends it later: an accepted task is never
 * left without a message. A task sent twice is harmless (the worker is idempotent).
 */
export async function enqueueTask(task: Pick<Task, 'clientId' | 'taskId' | 'level'>): Promise<boolean> {
  try {
    await queues.send(JOB_QUEUES[task.level] ?? JOB_QUEUES[0]!, { clientId: task.clientId, taskId: task.taskId } satisfies TaskMessage);
  } catch (error) {
    logger.warn('enqueue failed; the requeue job will retry', { taskId: task.taskId, error: error as Error });
    return false;
  }
  // Not from a task a worker has paused since the send: its mark says its message is still to be sent again.
  await taskStore.patch(task, { remove: ['awaitingQueue'] }, { notState: 'PAUSED' });
  return true;
}

/**
 * Puts a task's message on its level's queue again, due in `delaySeconds`: for one that cannot run
 * yet and must not use up a delivery of its own. Throws if the send fails, so the message being
 * handled is delivered again instead.
 */
export async function sendTaskLater(task: Pick<Task, 'clientId' | 'taskId' | 'level'>, delaySeconds: number): Promise<void> {
  await queues.send(
    JOB_QUEUES[task.level] ?? JOB_QUEUES[0]!,
    { clientId: task.clientId, taskId: task.taskId } satisfies TaskMessage,
    delaySeconds,
  );
}

/** Puts a finished task's callback on the callback queue, then clears its mark (same guarantee as above). */
export async function enqueueCallback(task: TaskKey, delaySeconds = 0): Promise<boolean> {
  try {
    await queues.send('callbacks', { clientId: task.clientId, taskId: task.taskId } satisfies TaskMessage, delaySeconds);
  } catch (error) {
    logger.warn('callback enqueue failed; the requeue job will retry', { taskId: task.taskId, error: error as Error });
    return false;
  }
  await taskStore.patch(task, { remove: ['awaitingQueue'] });
  return true;
}

/** Whether the client's pic queue holds its waiting tasks now (a strongly consistent read). */
export async function queueIsPaused(clientId: string): Promise<boolean> {
  return (await clientRegistry.get(clientId))?.picQueue?.state === 'Paused';
}

/**
 * PAUSED → PENDING, then its job message; the awaitingQueue mark stays until the send is
 * confirmed, so the requeue job finishes what fails half-way. False if another request changed
 * the task first (resumed or cancelled it): nothing is left to do here.
 */
export async function resumeTask(task: Task): Promise<boolean> {
  let resumed: Task;
  try {
    resumed = await taskStore.transition(task, 'resume', { version: task.version, set: { awaitingQueue: 'job' } });
  } catch (error) {
    if (isTesseraError(error) && error.kind === 'conflict') return false;
    throw error;
  }
  await enqueueTask(resumed);
  return true;
}

/** Sends a stranded task's message; a paused task is resumed first, unless its queue is still Paused. */
async function sendAgain(task: Task, waiting: 'job' | 'callback', paused: (clientId: string) => Promise<boolean>): Promise<boolean> {
  if (waiting === 'callback') return enqueueCallback(task);
  if (task.state !== 'PAUSED') return enqueueTask(task);
  return !(await paused(task.clientId)) && resumeTask(task);
}

/**
 * Scheduled: re-sends job and callback messages never confirmed sent (marked over a minute ago),
 * and resumes paused tasks whose queue is Active again, so a resume that failed, or that a worker
 * pausing at the same moment slipped past, still ends with the task running.
 */
export async function requeueStranded(now = Date.now(), olderThanMs = 60_000): Promise<number> {
  const before = new Date(now - olderThanMs).toISOString();
  const known = new Map<string, Promise<boolean>>();
  const paused = (clientId: string) => known.get(clientId) ?? known.set(clientId, queueIsPaused(clientId)).get(clientId)!;
  let sent = 0;
  for (const waiting of ['job', 'callback'] as const) {
    for await (const entry of taskStore.awaitingQueue(waiting, before)) {
      // Held by a queue still Paused (by the index's word): skipped without reading the task.
      if (entry.state === 'PAUSED' && (await paused(entry.clientId))) continue;
      const task = await taskStore.get(entry);
      if (task?.awaitingQueue !== waiting) continue;
      if (await sendAgain(task, waiting, paused)) sent++;
    }
  }
  return sent;
}

export type { TaskKey };
