// The stall rule: has the sharpness stopped short of 2/η after the reader lowered η?
//
// Lowering η lets progressive sharpening resume until the sharpness reaches the new 2/η
// (Cohen et al. 2021, Section 3) -- but only while the network is still learning. Once the
// loss is nearly zero there is little left to sharpen and the sharpness creeps up far too
// slowly to reach the new line. That is the physics, not a failure, and the page says so.
//
// The thresholds were measured with eos-run on Chebyshev problems, halving η at steps from
// just after the edge to thousands of steps later (traces in tests/web/fixtures/):
//   - runs that reach 0.9 × the new 2/η (within 150-1,950 steps) rose, whenever their loss
//     was below 10% of the initial loss, by at least 0.35 of the remaining gap to 0.9 × 2/η
//     over the previous 200 steps (the slowest: T4 1-20-20-1, η halved at step 1,000, 0.9 ×
//     reached 1,240 steps later); the ones that first dip (T5 1-32-32-1, η halved soon after
//     the edge) do so with the loss still at 18% or more of the initial loss;
//   - runs that never reach it within 1,500-2,000 steps (T3 1-20-1, T4 1-20-20-1, T5 at
//     late drops) had, 300-410 steps after the drop, a rise of 0.02-0.20 of the gap and a
//     loss below 5% of the initial loss.
// A rise below 0.2 of the gap per 200 steps means more than 1,000 further steps at that pace.
// The rule looks only at records the page has: it needs no extra engine call.

/** A change of η as the engine records it (effective from `step` on). */
export interface LrChange {
  step: number;
  lrOld: number;
  lrNew: number;
}

/** Per-step records (eig1 NaN on rows without eigenvalues), oldest first, and the η changes. */
export interface StallInput {
  step: ArrayLike<number>;
  loss: ArrayLike<number>;
  eig1: ArrayLike<number>;
  threshold: ArrayLike<number>;
  lrChanges: readonly LrChange[];
}

export interface StallVerdict {
  stalled: boolean;
  /** One line for the card: why it is (or is not yet) a stall. */
  reason: string;
}

export const STALL_RULE = {
  /** Steps since η was lowered before a stall can be called (the climb needs time to start). */
  minSteps: 300,
  /** The window over which the rise of the sharpness is measured, in steps. */
  window: 200,
  /** Stalled if the rise over the window is below this fraction of the gap to reachFrac × 2/η. */
  riseFrac: 0.2,
  /** …and the loss is below this fraction of the first recorded (initial) loss. */
  lossFrac: 0.1,
  /** The line counts as reached at this fraction of 2/η (the edge's own oscillation). */
  reachFrac: 0.9,
} as const;

export type StallRule = { readonly [K in keyof typeof STALL_RULE]: number };

const pct = (x: number): string => `${x < 0.01 ? (100 * x).toFixed(2) : (100 * x).toFixed(1)}%`;

export function detectStall(input: StallInput, rule: StallRule = STALL_RULE): StallVerdict {
  const { step, loss, eig1, threshold } = input;
  const n = step.length;
  const no = (reason: string): StallVerdict => ({ stalled: false, reason });
  if (n === 0) return no('no records yet');
  // The last change of η decides: after a raise the sharpness comes down, it does not stall.
  const changes = input.lrChanges.filter((c) => c.lrNew !== c.lrOld);
  const last = changes[changes.length - 1];
  if (!last) return no('η has not been changed');
  if (last.lrNew > last.lrOld) return no('η was last raised, not lowered');
  const drop = last.step;

  const isEig = (i: number): boolean => Number.isFinite(eig1[i]) && Number.isFinite(threshold[i]);
  let j = n - 1;
  while (j >= 0 && !isEig(j)) --j;
  if (j < 0 || step[j] < drop) return no('no sharpness measured since η was lowered');
  const since = step[j] - drop;
  if (since < rule.minSteps) return no(`only ${since} steps since η was lowered`);

  // Once the sharpness has reached the new line, later dips are the edge's own oscillation.
  let first = j;
  for (let i = j; i >= 0 && step[i] >= drop; --i) {
    if (!isEig(i)) continue;
    if (eig1[i] >= rule.reachFrac * threshold[i]) return no(`the sharpness reached the new 2/η at step ${step[i]}`);
    first = i;
  }

  // The oldest eigen-row inside the window (and after the drop).
  let p = j;
  for (let i = j; i >= first; --i) if (isEig(i) && step[i] >= step[j] - rule.window) p = i;
  const gap = rule.reachFrac * threshold[j] - eig1[j];
  const rise = eig1[j] - eig1[p];
  const ratio = (eig1[j] / threshold[j]).toFixed(2);
  if (rise >= rule.riseFrac * gap)
    return no(`still climbing: ${ratio} × 2/η, +${rise.toFixed(2)} over the last ${step[j] - step[p]} steps`);

  const loss0 = loss[0];
  const lossNow = loss[j];
  if (!(lossNow < rule.lossFrac * loss0))
    return no(`slow, but the loss is still ${pct(lossNow / loss0)} of its initial value, so it can still sharpen`);

  return {
    stalled: true,
    reason:
      `the sharpness stays at ${ratio} × 2/η ${since} steps after η was lowered: the loss is near zero ` +
      `(${pct(lossNow / loss0)} of its initial value), so there is little left to sharpen; ` +
      'progressive sharpening needs a loss that is still falling',
  };
}
