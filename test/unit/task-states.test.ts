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
  type TaskEvent,
  type TaskState,
} from '../../functions/core/task-states.ts';

const refused = (state: TaskState, event: TaskEvent) =>
  assert.throws(
    () => nextState(state, event),
    (error: TesseraError) => error.kind === 'conflict' && error.message.startsWith(`cannot ${event} a task in state ${state}`),
  );

describe('task state machine', () => {
  it('updates only INIT, START_FAILED, FAILED and STOP_SUCCESS, back to INIT', () => {
    for (const state of ['INIT', 'START_FAILED', 'FAILED', 'STOP_SUCCESS'] as const) assert.equal(nextState(state, 'update'), 'INIT');
    for (const state of TASK_STATES.filter((state) => !['INIT', 'START_FAILED', 'FAILED', 'STOP_SUCCESS'].includes(state)))
      refused(state, 'update');
  });

  it('starts from INIT, UPLOAD_SUCCESS, STOP_SUCCESS and FAILED into PENDING', () => {
    for (const state of ['INIT', 'UPLOAD_SUCCESS', 'STOP_SUCCESS', 'FAILED'] as const) assert.equal(nextState(state, 'start'), 'PENDING');
    for (const state of ['RUNNING', 'SUCCESS', 'ARCHIVED', 'PENDING', 'UPLOADING'] as const) refused(state, 'start');
  });

  it('stops a queued task back to where it started, a running one through STOPPING', () => {
    assert.equal(nextState('PENDING', 'stop', 'UPLOAD_SUCCESS'), 'UPLOAD_SUCCESS');
    assert.equal(nextState('PENDING', 'stop', 'FAILED'), 'FAILED');
    assert.equal(nextState('PENDING', 'stop'), 'INIT');
    assert.equal(nextState('STARTING', 'stop'), 'STOPPING');
    assert.equal(nextState('RUNNING', 'stop'), 'STOPPING');
    assert.equal(nextState('STOPPING', 'stopped'), 'STOP_SUCCESS');
    refused('SUCCESS', 'stop');
  });

  it('archives SUCCESS and back, nothing else', () => {
    assert.equal(nextState('SUCCESS', 'archive'), 'ARCHIVED');
    assert.equal(nextState('ARCHIVED', 'unarchive'), 'SUCCESS');
    refused('FAILED', 'archive');
    refused('SUCCESS', 'unarchive');
  });

  it('moves upload status only while UPLOADING', () => {
    assert.equal(nextState('INIT', 'beginUpload'), 'UPLOADING');
    assert.equal(nextState('UPLOADING', 'uploadSucceeded'), 'UPLOAD_SUCCESS');
    assert.equal(nextState('UPLOADING', 'uploadFailed'), 'UPLOAD_FAILED');
    refused('UPLOAD_SUCCESS', 'uploadFailed');
  });

  it('runs the pipeline PENDING → STARTING → RUNNING → SUCCESS | FAILED, or START_FAILED', () => {
    assert.equal(nextState('PENDING', 'dispatch'), 'STARTING');
    assert.equal(nextState('STARTING', 'run'), 'RUNNING');
    assert.equal(nextState('RUNNING', 'succeed'), 'SUCCESS');
    assert.equal(nextState('RUNNING', 'fail'), 'FAILED');
    assert.equal(nextState('STARTING', 'fail'), 'START_FAILED');
    refused('SUCCESS', 'succeed');
    refused('PENDING', 'succeed');
  });

  it('pauses, resumes and cancels only queued tasks', () => {
    assert.equal(nextState('PENDING', 'pause'), 'PAUSED');
    assert.equal(nextState('PAUSED', 'resume'), 'PENDING');
    assert.equal(nextState('PENDING', 'cancel'), 'CANCELLED');
    assert.equal(nextState('PAUSED', 'cancel'), 'CANCELLED');
    refused('RUNNING', 'cancel');
    refused('STARTING', 'cancel');
  });

  it('deletes only tasks that are not running', () => {
    for (const state of ['PENDING', 'STARTING', 'RUNNING', 'STOPPING', 'UPLOADING', 'PAUSED'] as const)
      assert.equal(DELETABLE.has(state), false, state);
    for (const state of ['INIT', 'SUCCESS', 'FAILED', 'STOP_SUCCESS', 'START_FAILED'] as const)
      assert.equal(DELETABLE.has(state), true, state);
  });

  it('names every state in the table only with known states', () => {
    for (const rows of Object.values(TRANSITIONS)) {
      for (const [from, to] of Object.entries(rows)) {
        assert.ok(TASK_STATES.includes(from as TaskState));
        assert.ok(to === 'PREVIOUS' || TASK_STATES.includes(to as TaskState));
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
