import { isTesseraError } from '../core/errors.ts';
import { FINAL_STATES, type TaskEvent, type TaskState } from '../core/task-states.ts';
import { panoramaConfig, workerConfig } from '../config.ts';
import type { Task } from '../core/tasks/task.ts';
import { taskStore } from '../adapters/task-store.ts';
import { logger } from '../logger.ts';
import { decidedAgainIfBusy } from '../services/decided-again.ts';
import { enqueueCallback, queueIsPaused, resumeTask, sendTaskLater, type TaskMessage } from '../services/task-queue.ts';
import { JobFailure, RetryLater, TaskStopped } from './job-failure.ts';
import { runPicProcess } from './picprocess.ts';
import { holdingSet } from './panorama/run-panorama.ts';

const PIPELINE_STATES: ReadonlySet<TaskState> = new Set(['PENDING', 'STARTING', 'RUNNING', 'STOPPING']);

/** Throws TaskStopped unless the task is still RUNNING (a kmp stop moves it to STOPPING). */
async function stillRunning(task: Task): Promise<void> {
  if ((await taskStore.get(task))?.state !== 'RUNNING') throw new TaskStopped();
}

const conflictLost = (error: unknown) => isTesseraError(error) && error.kind === 'conflict';

/** Ends a task (success or failure) and queues its callback in the same breath. */
async function finish(task: Task, event: Extract<TaskEvent, 'succeed' | 'fail'>, set: Record<string, unknown>): Promise<void> {
  const callback = task.callback ? { ...task.callback, status: 'pending' } : undefined;
  const finished = await taskStore.transition(task, event, {
    version: task.version,
    set: { ...set, endedAt: new Date().toISOString(), progress: 1, ...(callback ? { callback, awaitingQueue: 'callback' } : {}) },
    remove: ['leaseUntil'],
  });
  if (callback) await enqueueCallback(finished);
}

/**
 * Holds a waiting task while its client's queue is Paused. The queue was read before this write,
 * so a resume may have come in between and found nothing PAUSED to resume: the queue is read
 * again after the write, and the pause undone if it is Active by then. The awaitingQueue mark
 * (its job message is to be sent again) lets the requeue job undo it if this worker dies first.
 */
async function holdWhilePaused(task: Task): Promise<void> {
  const paused = await taskStore
    .transition(task, 'pause', { version: task.version, set: { awaitingQueue: 'job' } })
    .catch((error: unknown) => {
      if (conflictLost(error)) return undefined;
      throw error;
    });
  if (paused && !(await queueIsPaused(task.clientId))) await resumeTask(paused);
}

/** Takes a task for this worker: PENDING ones are dispatched; ones whose worker died are taken over. */
async function claim(task: Task): Promise<Task | undefined> {
  const leaseUntil = Date.now() + workerConfig.leaseMs();
  if (task.state === 'PENDING') {
    if (await queueIsPaused(task.clientId)) {
      await holdWhilePaused(task);
      return undefined;
    }
    return taskStore
      .transition(task, 'dispatch', { version: task.version, set: { leaseUntil, startedAt: new Date().toISOString() } })
      .catch((error: unknown) => {
        if (conflictLost(error)) return undefined;
        throw error;
      });
  }
  if (task.leaseUntil !== undefined && task.leaseUntil > Date.now()) throw new RetryLater(`task ${task.taskId} is held by another worker`);
  if (task.attempts + 1 >= workerConfig.maxAttempts()) {
    const running = task.state === 'STARTING' ? await taskStore.transition(task, 'run', { version: task.version }) : task;
    await finish(running, 'fail', {
      error: { code: 'InternalError', message: `the worker stopped ${task.attempts + 1} times while processing this task` },
    });
    return undefined;
  }
  return taskStore.takeOver(task, leaseUntil);
}

/** The work stopped: a task a client stopped ends STOP_SUCCESS; one taken from this worker is left to its new holder. */
async function acknowledgeStop(task: Task): Promise<void> {
  const current = await taskStore.get(task);
  if (current?.state !== 'STOPPING') return;
  await taskStore
    .transition(current, 'stopped', { version: current.version, set: { endedAt: new Date().toISOString() }, remove: ['leaseUntil'] })
    .catch((error: unknown) => {
      if (!conflictLost(error)) throw error;
    });
}

/** STARTING → RUNNING under this worker's lease; a client's stop that came meanwhile is acknowledged instead. */
async function startRunning(claimed: Task): Promise<Task | undefined> {
  try {
    return await decidedAgainIfBusy(claimed, (current) => taskStore.transition(current, 'run', { version: current.version }));
  } catch (error) {
    if (!isTesseraError(error) || error.reason !== 'StateNotAllowed') throw error;
    await acknowledgeStop(claimed);
    return undefined;
  }
}

/**
 * The task a job message names, if it has work to do: only queued or running tasks have; the rest
 * (finished, paused, stopped back to INIT, gone, …) are acknowledged. A stop that came while it
 * waited in the queue is acknowledged here.
 */
async function runnableTask(message: TaskMessage): Promise<Task | undefined> {
  const task = await taskStore.get(message);
  if (!task || !PIPELINE_STATES.has(task.state)) return undefined;
  if (task.state !== 'STOPPING') return task;
  await taskStore.transition(task, 'stopped', { version: task.version, remove: ['leaseUntil'] }).catch(() => undefined);
  return undefined;
}

/**
 * Handles one job message, idempotently: a message for a task with no work left is acknowledged
 * and nothing is redone; a task held by a live worker is left for later; an infrastructure error
 * propagates so the queue delivers the message again. A panorama takes its set first: a build
 * that finds another writing it waits unclaimed, and if that build still holds it, its message
 * comes back later and the task has lost no attempt.
 */
export async function processTaskMessage(message: TaskMessage): Promise<void> {
  const task = await runnableTask(message);
  if (!task) return;
  switch (task.kind) {
    case 'picprocess':
      return claimAndRun(task, () => runPicProcess(task.spec, () => stillRunning(task)));
    case 'panorama': {
      // Read again once the set is held: the task may have changed while this build waited.
      const held = await holdingSet(task, async (build) => {
        const current = await runnableTask(message);
        if (current) await claimAndRun(current, build);
      });
      if (!held) await sendTaskLater(task, panoramaConfig.setBusyDelaySeconds());
      return;
    }
    case 'kmp':
      // Nothing runs a kmp task's own work.
      return claimAndRun(task, undefined);
  }
}

/** Claims `task` and runs it, recording how it ended; without a runner it ends Failed. */
async function claimAndRun(task: Task, runner: (() => Promise<Task['result']>) | undefined): Promise<void> {
  const claimed = await claim(task);
  if (!claimed) return;
  const running = claimed.state === 'RUNNING' ? claimed : await startRunning(claimed);
  if (!running) return;
  if (!runner) {
    await finish(running, 'fail', { error: { code: 'InternalError', message: `no worker runs ${running.kind} tasks` } });
    return;
  }
  let result: Task['result'];
  try {
    result = await runner();
  } catch (error) {
    if (error instanceof TaskStopped) {
      await acknowledgeStop(running);
      return;
    }
    if (error instanceof JobFailure) {
      await finish(running, 'fail', { error: { code: error.code, message: error.message } });
      return;
    }
    logger.error('task failed on an infrastructure error; it will be retried', { taskId: running.taskId, error: error as Error });
    throw error;
  }
  await finish(running, 'succeed', { result });
}

/** A message that failed on every delivery lands in the dead-letter queue: its task ends Failed, never stuck. */
export async function failDeadTask(message: TaskMessage): Promise<void> {
  const task = await taskStore.get(message);
  if (!task || FINAL_STATES.has(task.state) || task.state === 'PAUSED') return;
  let current = task;
  if (current.state === 'PENDING') current = await taskStore.transition(current, 'dispatch', { version: current.version });
  if (current.state === 'STARTING') current = await taskStore.transition(current, 'run', { version: current.version });
  if (current.state === 'RUNNING') {
    await finish(current, 'fail', { error: { code: 'InternalError', message: 'the task could not be processed after repeated attempts' } });
  }
}
