import { setTimeout as sleep } from 'node:timers/promises';
import { isTesseraError } from '../core/errors.ts';
import type { Task } from '../core/tasks/task.ts';
import { taskStore } from '../adapters/task-store.ts';

/** How often a change is decided again after a Busy refusal. */
const BUSY_RETRIES = 3;

/**
 * Another change holds a task for the moment of one write (a worker's step, a client's action);
 * a change that met it is decided again on what that left (the state table may now refuse it),
 * rather than answered "busy". Conflicting changes still end with exactly one applied.
 */
export async function decidedAgainIfBusy(task: Task, change: (current: Task) => Promise<Task>): Promise<Task> {
  let current = task;
  for (let attempt = 0; ; attempt++) {
    try {
      return await change(current);
    } catch (error) {
      if (!isTesseraError(error) || error.reason !== 'Busy' || attempt === BUSY_RETRIES) throw error;
    }
    await sleep(20 * 2 ** attempt);
    current = await taskStore.require(task);
  }
}
