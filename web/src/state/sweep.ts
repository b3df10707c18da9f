// The step-size sweep: `lo:hi:n` = n gradient-descent runs at log-spaced step sizes from lo
// to hi on one problem and initialisation, plus one gradient-flow run. It is the paper's
// claim as one picture (Cohen et al. 2021, Section 3 and Figure 1): at the Edge of Stability
// the sharpness each GD run settles at is 2/η, whatever else the run does, while gradient
// flow (η → 0) keeps sharpening. Log spacing gives equal ratios of 2/η between the points.

/** lo and hi: step sizes (lo < hi); n: how many GD runs. */
export interface SweepSpec {
  lo: number;
  hi: number;
  n: number;
}

/** At most this many GD runs, so that with the gradient-flow run they fit the page's 8 runs. */
export const SWEEP_MAX_N = 7;
export const SWEEP_MIN_N = 2;
/** The step sizes a sweep may span (as the η slider). */
export const SWEEP_LR_MIN = 1e-4;
export const SWEEP_LR_MAX = 100;

export const SWEEP_ALLOWED = `LO:HI:N (step sizes ${SWEEP_LR_MIN} ≤ LO < HI ≤ ${SWEEP_LR_MAX}, N runs in [${SWEEP_MIN_N}, ${SWEEP_MAX_N}]; e.g. 0.1:0.4:6), or empty`;

const NUM = /^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Parses "lo:hi:n" ('' = no sweep). Never throws. */
export function parseSweep(raw: string): { ok: true; value: SweepSpec | null } | { ok: false } {
  const t = raw.trim();
  if (t === '') return { ok: true, value: null };
  const parts = t.split(':');
  if (parts.length !== 3 || !parts.every((p) => NUM.test(p))) return { ok: false };
  const [lo, hi, n] = parts.map(Number);
  if (!(lo >= SWEEP_LR_MIN && hi <= SWEEP_LR_MAX && lo < hi)) return { ok: false };
  if (!Number.isInteger(n) || n < SWEEP_MIN_N || n > SWEEP_MAX_N) return { ok: false };
  return { ok: true, value: { lo, hi, n } };
}

export function formatSweep(s: SweepSpec | null): string {
  return s ? `${s.lo}:${s.hi}:${s.n}` : '';
}

/** The n step sizes, log-spaced from lo to hi (3 significant digits, so labels and links stay short). */
export function sweepLrs(s: SweepSpec): number[] {
  const r = Math.log(s.hi / s.lo);
  return Array.from({ length: s.n }, (_, i) => {
    if (i === 0) return s.lo;
    if (i === s.n - 1) return s.hi;
    return Number((s.lo * Math.exp((r * i) / (s.n - 1))).toPrecision(3));
  });
}
