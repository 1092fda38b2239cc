import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { oneAtATime } from '../../functions/worker/one-at-a-time.ts';

describe('oneAtATime', () => {
  it('starts each piece of work only after the one before settled, failures included', async () => {
    const inTurn = oneAtATime();
    const events: string[] = [];
    const work =
      (name: string, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await sleep(20);
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([inTurn(work('a')), inTurn(work('b', true)), inTurn(work('c'))]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });
});
