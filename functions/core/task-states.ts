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
  | 'cancel';

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
};

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

/** How the ci dialect names core states (reference/tencent-ci.md §2.2). */
export type CiState = 'Submitted' | 'Running' | 'Success' | 'Failed' | 'Pause' | 'Cancel';

const CI_STATES: Record<TaskState, CiState> = {
  INIT: 'Submitted',
  UPLOADING: 'Submitted',
  UPLOAD_SUCCESS: 'Submitted',
  UPLOAD_FAILED: 'Failed',
  PENDING: 'Submitted',
  STARTING: 'Running',
  RUNNING: 'Running',
  STOPPING: 'Running',
  SUCCESS: 'Success',
  ARCHIVED: 'Success',
  FAILED: 'Failed',
  START_FAILED: 'Failed',
  STOP_SUCCESS: 'Cancel',
  PAUSED: 'Pause',
  CANCELLED: 'Cancel',
};

export const ciState = (state: TaskState): CiState => CI_STATES[state];

/** The core states a ci state filter names. */
export const statesForCi = (ci: CiState): TaskState[] => TASK_STATES.filter((state) => CI_STATES[state] === ci);
