import { DELETABLE, TRANSITIONS, type TaskState } from '../../functions/core/task-states.ts';

/** What a row of the task list may offer: kmp's actions, decided by the server's own state table. */
export type TaskAction = 'start' | 'stop' | 'archive' | 'unarchive' | 'delete';

export const TASK_ACTIONS: readonly TaskAction[] = ['start', 'stop', 'archive', 'unarchive', 'delete'];

/** The actions the state table (functions/core/task-states.ts, bundled) allows from a task's kmp state. */
export function allowedActions(state: string): TaskAction[] {
  const known = state as TaskState;
  return TASK_ACTIONS.filter((action) => (action === 'delete' ? DELETABLE.task.has(known) : TRANSITIONS.task[action][known] !== undefined));
}

/** States the worker is still moving: the list refreshes itself while any is shown. */
export const RUNNING_STATES: ReadonlySet<string> = new Set(['PENDING', 'STARTING', 'RUNNING', 'STOPPING']);
