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
  'BUNDLE_SUCCESS',
  'PAUSED',
  'CANCELLED',
] as const;

export type TaskState = (typeof TASK_STATES)[number];

/** How many tasks are in each state. */
export type StateCounts = Record<TaskState, number>;

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

/** A task, or a subtask (a unit of work inside a task whose input the client uploads first). */
export type Lifecycle = 'task' | 'subtask';

type Table = Readonly<Record<TaskEvent, Readonly<Partial<Record<TaskState, TaskState>>>>>;

/** What tasks and subtasks share: the pipeline's own steps, and the ci queue's pause and cancel. */
const PIPELINE = {
  update: { INIT: 'INIT', START_FAILED: 'INIT', FAILED: 'INIT', STOP_SUCCESS: 'INIT' },
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
} as const;

/**
 * The whole state machine (reference/kmp.md §5.1, §5.2): for each event, the states it may happen
 * in and where it leads. Anything not listed is refused; the store applies each row as one
 * conditional write on state and version. A queued task that is stopped goes back to INIT; a
 * queued subtask back to UPLOAD_SUCCESS, since its upload is done. Tessera's tasks never reach
 * BUNDLE_SUCCESS (KooMap's aerial-triangulation-only result), but it may start from there.
 */
export const TRANSITIONS: Readonly<Record<Lifecycle, Table>> = {
  task: {
    ...PIPELINE,
    start: { INIT: 'PENDING', STOP_SUCCESS: 'PENDING', FAILED: 'PENDING', BUNDLE_SUCCESS: 'PENDING' },
    stop: { PENDING: 'INIT', PAUSED: 'INIT', STARTING: 'STOPPING', RUNNING: 'STOPPING' },
    archive: { SUCCESS: 'ARCHIVED' },
    unarchive: { ARCHIVED: 'SUCCESS' },
    beginUpload: {},
    uploadSucceeded: {},
    uploadFailed: {},
  },
  subtask: {
    ...PIPELINE,
    update: {},
    start: { UPLOAD_SUCCESS: 'PENDING', STOP_SUCCESS: 'PENDING', FAILED: 'PENDING' },
    stop: { PENDING: 'UPLOAD_SUCCESS', PAUSED: 'UPLOAD_SUCCESS', STARTING: 'STOPPING', RUNNING: 'STOPPING' },
    archive: {},
    unarchive: {},
    beginUpload: { INIT: 'UPLOADING' },
    uploadSucceeded: { UPLOADING: 'UPLOAD_SUCCESS' },
    uploadFailed: { UPLOADING: 'UPLOAD_FAILED' },
  },
};

/**
 * Deletion is not a transition: the task goes away, but only from these states. CANCELLED is the ci
 * queue's word for a task stopped before it ran, so it goes where STOP_SUCCESS goes.
 */
export const DELETABLE: Readonly<Record<Lifecycle, ReadonlySet<TaskState>>> = {
  task: new Set(['INIT', 'START_FAILED', 'FAILED', 'STOP_SUCCESS', 'SUCCESS', 'CANCELLED']),
  subtask: new Set(['INIT', 'UPLOAD_SUCCESS', 'UPLOAD_FAILED', 'START_FAILED', 'SUCCESS', 'FAILED', 'STOP_SUCCESS', 'CANCELLED']),
};

/**
 * How a task comes into being: created to be configured and started later (kmp), or submitted
 * to run at once (a PicProcess job, a panorama build).
 */
export const CREATIONS = { create: 'INIT', submit: 'PENDING' } as const satisfies Record<string, TaskState>;
export type Creation = keyof typeof CREATIONS;

export const FINAL_STATES: ReadonlySet<TaskState> = new Set([
  'SUCCESS',
  'FAILED',
  'START_FAILED',
  'STOP_SUCCESS',
  'ARCHIVED',
  'CANCELLED',
  'BUNDLE_SUCCESS',
]);
export const ACTIVE_STATES: ReadonlySet<TaskState> = new Set(['PENDING', 'STARTING', 'RUNNING', 'STOPPING']);

export function allowedFrom(event: TaskEvent, lifecycle: Lifecycle = 'task'): TaskState[] {
  return Object.keys(TRANSITIONS[lifecycle][event]) as TaskState[];
}

/** Where `event` takes a task (or subtask) in `state`, or a conflict naming the states it is allowed in. */
export function nextState(state: TaskState, event: TaskEvent, lifecycle: Lifecycle = 'task'): TaskState {
  const target = TRANSITIONS[lifecycle][event][state];
  if (target) return target;
  const allowed = allowedFrom(event, lifecycle);
  throw conflict(
    `cannot ${event} a ${lifecycle} in state ${state}; ${allowed.length ? `allowed in ${allowed.join(', ')}` : `a ${lifecycle} never does`}`,
    'StateNotAllowed',
  );
}

export function parseTaskState(value: string): TaskState {
  if (!isTaskState(value)) throw invalidInput(`unknown task state "${value}"`);
  return value;
}
