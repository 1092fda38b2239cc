import { TASK_STATES, type TaskState } from '../core/task-states.ts';

/** How the ci dialect names core states (reference/tencent-ci.md §2.2). */
export type CiState = 'Submitted' | 'Running' | 'Success' | 'Failed' | 'Pause' | 'Cancel';

export const CI_STATE_NAMES: readonly CiState[] = ['Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel'];

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
  BUNDLE_SUCCESS: 'Success',
  FAILED: 'Failed',
  START_FAILED: 'Failed',
  STOP_SUCCESS: 'Cancel',
  PAUSED: 'Pause',
  CANCELLED: 'Cancel',
};

export const ciState = (state: TaskState): CiState => CI_STATES[state];

/** The core states a ci state filter names. */
export const statesForCi = (ci: CiState): TaskState[] => TASK_STATES.filter((state) => CI_STATES[state] === ci);
