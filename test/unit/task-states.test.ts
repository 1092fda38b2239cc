import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { ciState, statesForCi } from '../../functions/ci/job-states.ts';
import {
  DELETABLE,
  nextState,
  parseTaskState,
  TASK_STATES,
  TRANSITIONS,
  type Lifecycle,
  type TaskEvent,
  type TaskState,
} from '../../functions/core/task-states.ts';

type Expected = Partial<Record<TaskEvent, Partial<Record<TaskState, TaskState>>>>;

/** The pipeline's own steps and the ci queue's pause and cancel, the same for tasks and subtasks. */
const PIPELINE: Expected = {
  dispatch: { PENDING: 'STARTING' },
  run: { STARTING: 'RUNNING' },
  succeed: { RUNNING: 'SUCCESS' },
  fail: { STARTING: 'START_FAILED', RUNNING: 'FAILED' },
  stopped: { STOPPING: 'STOP_SUCCESS' },
  pause: { PENDING: 'PAUSED' },
  resume: { PAUSED: 'PENDING' },
  cancel: { PENDING: 'CANCELLED', PAUSED: 'CANCELLED' },
  takeOver: { STARTING: 'STARTING', RUNNING: 'STARTING' },
};

/**
 * Written from reference/kmp.md §5.1 and §5.2, not from the implementation's table: every event in
 * every state either leads where KooMap says, or is refused.
 */
const EXPECTED: Record<Lifecycle, Expected> = {
  task: {
    ...PIPELINE,
    update: { INIT: 'INIT', START_FAILED: 'INIT', FAILED: 'INIT', STOP_SUCCESS: 'INIT' },
    start: { INIT: 'PENDING', STOP_SUCCESS: 'PENDING', FAILED: 'PENDING', BUNDLE_SUCCESS: 'PENDING' },
    // A queued task stops back to INIT (a ci-paused one too: kmp shows PAUSED as PENDING).
    stop: { PENDING: 'INIT', PAUSED: 'INIT', STARTING: 'STOPPING', RUNNING: 'STOPPING' },
    archive: { SUCCESS: 'ARCHIVED' },
    unarchive: { ARCHIVED: 'SUCCESS' },
  },
  subtask: {
    ...PIPELINE,
    start: { UPLOAD_SUCCESS: 'PENDING', STOP_SUCCESS: 'PENDING', FAILED: 'PENDING' },
    stop: { PENDING: 'UPLOAD_SUCCESS', PAUSED: 'UPLOAD_SUCCESS', STARTING: 'STOPPING', RUNNING: 'STOPPING' },
    beginUpload: { INIT: 'UPLOADING' },
    uploadSucceeded: { UPLOADING: 'UPLOAD_SUCCESS' },
    uploadFailed: { UPLOADING: 'UPLOAD_FAILED' },
  },
};

const EVENTS: readonly TaskEvent[] = [
  'update',
  'start',
  'stop',
  'archive',
  'unarchive',
  'beginUpload',
  'uploadSucceeded',
  'uploadFailed',
  'dispatch',
  'run',
  'succeed',
  'fail',
  'stopped',
  'pause',
  'resume',
  'cancel',
  'takeOver',
];

describe('task state machine', () => {
  for (const lifecycle of ['task', 'subtask'] as const) {
    it(`takes every ${lifecycle} event in every state where KooMap says, and refuses the rest`, () => {
      for (const event of EVENTS) {
        for (const state of TASK_STATES) {
          const expected = EXPECTED[lifecycle][event]?.[state];
          if (expected) {
            assert.equal(nextState(state, event, lifecycle), expected, `${lifecycle} ${event} from ${state}`);
          } else {
            assert.throws(
              () => nextState(state, event, lifecycle),
              (error: TesseraError) =>
                error.kind === 'conflict' && error.message.startsWith(`cannot ${event} a ${lifecycle} in state ${state}`),
              `${lifecycle} ${event} from ${state}`,
            );
          }
        }
      }
    });
  }

  it('deletes a task only from INIT, START_FAILED, FAILED, STOP_SUCCESS, SUCCESS (and CANCELLED); a subtask also after its upload', () => {
    assert.deepEqual([...DELETABLE.task].sort(), ['CANCELLED', 'FAILED', 'INIT', 'START_FAILED', 'STOP_SUCCESS', 'SUCCESS']);
    assert.deepEqual([...DELETABLE.subtask].sort(), [
      'CANCELLED',
      'FAILED',
      'INIT',
      'START_FAILED',
      'STOP_SUCCESS',
      'SUCCESS',
      'UPLOAD_FAILED',
      'UPLOAD_SUCCESS',
    ]);
  });

  it('names every state in the table only with known states', () => {
    for (const table of Object.values(TRANSITIONS)) {
      for (const rows of Object.values(table)) {
        for (const [from, to] of Object.entries(rows)) {
          assert.ok(TASK_STATES.includes(from as TaskState));
          assert.ok(TASK_STATES.includes(to as TaskState));
        }
      }
    }
    assert.throws(() => parseTaskState('DONE'), /unknown task state "DONE"/);
  });
});

describe('ci state mapping', () => {
  it('shows each core state in ci words', () => {
    assert.equal(ciState('PENDING'), 'Submitted');
    assert.equal(ciState('RUNNING'), 'Running');
    assert.equal(ciState('STARTING'), 'Running');
    assert.equal(ciState('SUCCESS'), 'Success');
    assert.equal(ciState('FAILED'), 'Failed');
    assert.equal(ciState('START_FAILED'), 'Failed');
    assert.equal(ciState('PAUSED'), 'Pause');
    assert.equal(ciState('CANCELLED'), 'Cancel');
    assert.deepEqual(statesForCi('Pause'), ['PAUSED']);
    for (const state of TASK_STATES) assert.ok(statesForCi(ciState(state)).includes(state));
  });
});
