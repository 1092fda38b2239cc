import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile } from '../../bench/stats.ts';

/** The bench's summaries: the fidelity control compares each generate.py run with the median of the others. */
describe('bench statistics', () => {
  it('takes the middle of an odd count, whatever the order', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([-0.004, 0.002, -0.001, 0.01, 0]), 0);
  });

  it('takes the mean of the two middle values of an even count, not the lower as a nearest rank does', () => {
    assert.equal(median([0.01, 0.03]), 0.02);
    assert.equal(percentile([0.01, 0.03], 50), 0.01);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('has no median of nothing', () => {
    assert.ok(Number.isNaN(median([])));
  });
});
