// The page's settled-window statistic against the same closed forms as the engine's
// (tests/native/test_stats.cpp): quantiles of known lists, the window's start, the
// fall-back to the second half, and the rejection of bad input.
import { describe, expect, it } from 'vitest';
import { quantile, settledStats } from '../../web/src/charts/settled';

describe('quantile (type 7)', () => {
  it('interpolates linearly between order statistics', () => {
    const xs = Array.from({ length: 101 }, (_, i) => 101 - i); // 1..101, reversed
    expect(quantile(xs, 0.5)).toBe(51);
    expect(quantile(xs, 0.1)).toBe(11);
    expect(quantile(xs, 0.9)).toBe(91);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(101);
    expect(quantile([1, 2], 0.5)).toBe(1.5);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('settledStats', () => {
  it('starts settleSteps after first reaching the line, never before half', () => {
    // Steps 0..2990 every 10; rises linearly to the threshold 10 at step 1000, then 9 / 11.
    const step: number[] = [];
    const v: number[] = [];
    const thr: number[] = [];
    for (let t = 0; t < 3000; t += 10) {
      step.push(t);
      thr.push(10);
      v.push(t < 1000 ? 5 + (5 * t) / 1000 : (t / 10) % 2 ? 11 : 9);
    }
    const s = settledStats(step, v, thr);
    expect(s.reached).toBe(true);
    // 9.5 first reached at step 900; 900 + 200 = 1100 < half (1495).
    expect(s.fromStep).toBe(1495);
    expect(s.count).toBe(150);
    expect(s.median).toBe(10);
    expect(s.p10).toBe(9);
    expect(s.p90).toBe(11);
    expect(settledStats(step, v, thr, { reachFraction: 0.95, settleSteps: 1000 }).fromStep).toBe(1900);
  });

  it('uses the second half when the line is never reached (or there is none)', () => {
    const step = [0, 100, 200, 300];
    const v = [1, 2, 3, 4];
    const s = settledStats(step, v, [NaN, NaN, NaN, NaN]);
    expect(s.reached).toBe(false);
    expect(s.fromStep).toBe(150);
    expect(s.count).toBe(2);
    expect(s.median).toBe(3.5);
    const t = settledStats(step, v, [100, 100, 100, 100]);
    expect(t.reached).toBe(false);
    expect(t.median).toBe(3.5);
  });

  it('skips non-finite values and rejects mismatched or decreasing input', () => {
    const s = settledStats([0, 10, 20, 30], [1, 2, Infinity, 4], [1, 1, 1, 1], { reachFraction: 0.95, settleSteps: 0 });
    expect(s.reached).toBe(true);
    expect(s.fromStep).toBe(15);
    expect(s.count).toBe(1);
    expect(s.median).toBe(4);
    expect(() => settledStats([0, 1], [1], [1, 1])).toThrow();
    expect(() => settledStats([5, 1], [1, 1], [1, 1])).toThrow();
    const e = settledStats([], [], []);
    expect(e.count).toBe(0);
    expect(e.median).toBeNaN();
  });
});
