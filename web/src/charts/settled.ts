// The settled-window statistic of a run's sharpness: the summary the step-size sweep
// draws as one point per run (Cohen et al. 2021, Section 3: once GD is at the Edge of
// Stability "the step size wholly determines the sharpness"). The same definition as the
// engine's settled_stats (wasm/include/eoslab/stats.hpp), so that the page's sweep chart and
// the native sweep agree: a run's early steps (progressive sharpening, before the edge) say
// nothing about where it settles, so the window starts `settleSteps` after the sharpness
// first reaches `reachFraction` × its threshold, and never before the second half of the
// recorded steps. A run that never reaches its threshold (gradient flow, a step size too
// small for the horizon) is summarised over the second half, and says so (reached = false).

export interface SettledStats {
  median: number;
  /** 10th percentile (linear interpolation between order statistics). */
  p10: number;
  /** 90th percentile. */
  p90: number;
  /** Finite values in the window. */
  count: number;
  /** First step of the window. */
  fromStep: number;
  /** The value reached reachFraction × threshold at some step. */
  reached: boolean;
}

export interface SettledOptions {
  reachFraction: number;
  settleSteps: number;
}

export const SETTLED_DEFAULTS: SettledOptions = { reachFraction: 0.95, settleSteps: 200 };

/** The q-quantile (q in [0, 1]) by linear interpolation between order statistics (Hyndman & Fan's type 7); NaN if empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = q * (s.length - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * step, value and threshold are parallel arrays (one entry per eigenvalue row, steps not
 * decreasing); threshold may be NaN (gradient flow). Non-finite values are skipped.
 * Throws if the arrays differ in length or the steps decrease.
 */
export function settledStats(
  step: ArrayLike<number>,
  value: ArrayLike<number>,
  threshold: ArrayLike<number>,
  opt: SettledOptions = SETTLED_DEFAULTS,
): SettledStats {
  const n = step.length;
  if (value.length !== n || threshold.length !== n) throw new Error('settledStats: step, value and threshold must have the same length');
  for (let i = 1; i < n; ++i) if (step[i] < step[i - 1]) throw new Error('settledStats: steps must not decrease');
  if (n === 0) return { median: NaN, p10: NaN, p90: NaN, count: 0, fromStep: 0, reached: false };
  // The second half of the recorded steps, at the earliest (integer steps, rounded down as the engine does).
  const half = step[0] + Math.floor((step[n - 1] - step[0]) / 2);
  let from = half;
  let reached = false;
  for (let i = 0; i < n; ++i) {
    if (Number.isFinite(value[i]) && Number.isFinite(threshold[i]) && value[i] >= opt.reachFraction * threshold[i]) {
      reached = true;
      from = Math.max(half, step[i] + opt.settleSteps);
      break;
    }
  }
  const w: number[] = [];
  for (let i = 0; i < n; ++i) if (step[i] >= from && Number.isFinite(value[i])) w.push(value[i]);
  return { median: quantile(w, 0.5), p10: quantile(w, 0.1), p90: quantile(w, 0.9), count: w.length, fromStep: from, reached };
}
