import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/runtime/backoff.js';

const policy = { initialMs: 250, maxMs: 10_000 };

describe('retry backoff', () => {
  it('doubles from the initial delay, between half and all of each step', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([125, 250, 500, 1000]);
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy, () => 0.999999))).toEqual([250, 500, 1000, 2000]);
  });

  it('never exceeds the maximum, however many attempts', () => {
    for (const attempt of [7, 10, 50, 10_000]) {
      expect(backoffDelayMs(attempt, policy, () => 0.999999)).toBe(10_000);
      expect(backoffDelayMs(attempt, policy, () => 0)).toBe(5_000);
    }
  });

  it('spreads retries of partitions that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});
