import { conflict, invalidInput } from './errors.ts';

/**
 * One task model for everything Tessera runs in the background: panorama builds, PicProcess jobs
 * and kmp tasks. The states are kmp's (SPEC §1 kmp, reference/apis.md §C), plus PAUSED and
 * CANCELLED for ci queues.
 */
export const TASK_STATES = [
  'INIT',
  'UPLOADING',
  'UPLOAD_SUCCESS',
  'UPLOAD_FAILED',
  'PENDING',
  'STARTING',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'START_FAILED',
  'STOPPING',
  'STOP_SUCCESS',
  'ARCHIVED',
  'PAUSED',
  'CANCELLED',
] as const;

export type TaskState = (typeof TASK_STATES)[number];

export const isTaskState = (value: string): value is TaskState => (TASK_STATES as readonly string[]).includes(value);

/** What can happen to a task: requests from clients, and steps the pipeline takes. */
export type TaskEvent =
  | 'update'
  | 'start'
  | 'stop'
  | 'archive'
  | 'unarchive'
  | 'beginUpload'
  | 'uploadSucceeded'
  | 'uploadFailed'
  | 'dispatch'
  | 'run'
  | 'succeed'
  | 'fail'
  | 'stopped'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'takeOver';

/** Stopping a task that is only queued puts it back where it was started from. */
export const PREVIOUS = 'PREVIOUS' as const;
type Target = TaskState | typeof PREVIOUS;

/**
 * The whole state machine: for each event, the states it may happen in and where it leads.
 * Anything not listed is refused; the store applies each row as one conditional write.
 */
export const TRANSITIONS: Readonly<Record<TaskEvent, Readonly<Partial<Record<TaskState, Target>>>>> = {
  update: { INIT: 'INIT', START_FAILED: 'INIT', FAILED: 'INIT', STOP_SUCCESS: 'INIT' },
  start: { INIT: 'PENDING', UPLOAD_SUCCESS: 'PENDING', STOP_SUCCESS: 'PENDING', FAILED: 'PENDING' },
  stop: { PENDING: PREVIOUS, PAUSED: PREVIOUS, STARTING: 'STOPPING', RUNNING: 'STOPPING' },
  archive: { SUCCESS: 'ARCHIVED' },
  unarchive: { ARCHIVED: 'SUCCESS' },
  beginUpload: { INIT: 'UPLOADING' },
  uploadSucceeded: { UPLOADING: 'UPLOAD_SUCCESS' },
  uploadFailed: { UPLOADING: 'UPLOAD_FAILED' },
  dispatch: { PENDING: 'STARTING' },
  run: { STARTING: 'RUNNING' },
  succeed: { RUNNING: 'SUCCESS' },
  fail: { STARTING: 'START_FAILED', RUNNING: 'FAILED' },
  stopped: { STOPPING: 'STOP_SUCCESS' },
  pause: { PENDING: 'PAUSED' },
  resume: { PAUSED: 'PENDING' },
  cancel: { PENDING: 'CANCELLED', PAUSED: 'CANCELLED' },
  // A worker that died holding the task: another starts it again (the store checks the lease ran out).
  takeOver: { STARTING: 'STARTING', RUNNING: 'STARTING' },
};

/**
 * How a task comes into being: created to be configured and started later (kmp), or submitted
 * to run at once (a PicProcess job, a panorama build).
 */
export const CREATIONS = { create: 'INIT', submit: 'PENDING' } as const satisfies Record<string, TaskState>;
export type Creation = keyof typeof CREATIONS;

/** Delete is not a transition: the task goes away, but only when nothing is running. */
export const DELETABLE: ReadonlySet<TaskState> = new Set([
  'INIT',
  'UPLOAD_SUCCESS',
  'UPLOAD_FAILED',
  'START_FAILED',
  'FAILED',
  'STOP_SUCCESS',
  'SUCCESS',
  'ARCHIVED',
  'CANCELLED',
]);

export const FINAL_STATES: ReadonlySet<TaskState> = new Set(['SUCCESS', 'FAILED', 'START_FAILED', 'STOP_SUCCESS', 'ARCHIVED', 'CANCELLED']);
export const ACTIVE_STATES: ReadonlySet<TaskState> = new Set(['PENDING', 'STARTING', 'RUNNING', 'STOPPING']);

export function allowedFrom(event: TaskEvent): TaskState[] {
  return Object.keys(TRANSITIONS[event]) as TaskState[];
}

/** Where `event` takes a task in `state`, or a conflict naming the states it is allowed in. */
export function nextState(state: TaskState, event: TaskEvent, startedFrom?: TaskState): TaskState {
  const target = TRANSITIONS[event][state];
  if (!target) {
    throw conflict(`cannot ${event} a task in state ${state}; allowed in ${allowedFrom(event).join(', ')}`);
  }
  if (target !== PREVIOUS) return target;
  return startedFrom ?? 'INIT';
}

export function parseTaskState(value: string): TaskState {
  if (!isTaskState(value)) throw invalidInput(`unknown task state "${value}"`);
  return value;
}
