import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytes, duration, rateAndEta } from '../../console/src/format.ts';
import { allowedActions, TASK_ACTIONS } from '../../console/src/task-actions.ts';
import { DELETABLE, nextState, TASK_STATES } from '../../functions/core/task-states.ts';

/** The console's pure modules (docs/console.md); the pages are driven in a browser by test/e2e. */
describe('the console: which actions a row offers', () => {
  it('offers exactly what the state table allows, from every state', () => {
    for (const state of TASK_STATES) {
      const allowed = TASK_ACTIONS.filter((action) => {
        if (action === 'delete') return DELETABLE.task.has(state);
        try {
          nextState(state, action);
          return true;
        } catch {
          return false;
        }
      });
      assert.deepEqual(allowedActions(state), allowed, state);
    }
    assert.deepEqual(allowedActions('RUNNING'), ['stop']);
    assert.deepEqual(allowedActions('SUCCESS'), ['archive', 'delete']);
    assert.deepEqual(allowedActions('INIT'), ['start', 'delete']);
    assert.deepEqual(allowedActions('ARCHIVED'), ['unarchive']);
  });
});

describe('the console: progress text', () => {
  it('writes sizes, durations, rate and time left', () => {
    assert.equal(bytes(512), '512 B');
    assert.equal(bytes(12 * 1024 * 1024), '12.0 MiB');
    assert.equal(duration(42.2), '43 s');
    assert.equal(duration(125), '2 min 5 s');
    assert.equal(rateAndEta(10 * 1024 * 1024, 2, 20 * 1024 * 1024), '5.0 MiB/s, 4 s left');
    assert.equal(rateAndEta(0, 0, 100), '0 B/s, … left');
  });
});
