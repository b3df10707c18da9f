// Chart data plumbing, independent of Chart.js and of decimation: turns a run's
// records into {x, y} point arrays that we own (Chart.js decimation replaces
// ds.data's view, so we keep these and re-assign them each frame).
// The arrays are bounded because they are built from the record store, which is:
// sync() appends the rows that arrived since the last call while the store only
// grew, and rewrites the arrays in place (reusing their point objects) when the
// store merged older rows into coarser buckets.
//
// Series per run:
//   loss          (x, loss)                    finite, > 0 only (log axis)
//   eig[j]        (x, λ_j)                     eigenvalue rows, j = 0..k-1
//   threshold     step function of 2/η (…)     piecewise constant, jumps where η or β changed
//   scaledEig[j]  (x, η·λ_j)                   GD-type optimisers only (flow has no η)
//   scaledThr     step function of η·threshold = 2, 2+2β, (2+2β)/(1+2β)
//   markers       x where η changed (drawn as vertical lines; not for gradient flow)
//   testLoss      (x, held-out loss)          eigenvalue rows of runs with n_test > 0; finite, > 0 only
// An exact row gives one point. A bucket of older rows gives two: its min at its first
// x and its max at its last x (or the other way round when its last value is nearer the
// min, so the line follows the trend), so a loss spike or a sharpness peak stays drawn.
// In a bucket, the threshold, η·λ and an η marker use the bucket's last η, placed at its
// first x: a change inside an old bucket is drawn at most one bucket early.

import { EIG_LR, EIG_STEP, EIG_TIME, ROW_COLUMNS, type RowColumn, type RunRecords } from '../runs/records';
import type { Tier, TieredStore } from '../runs/tiers';

export interface Pt {
  x: number;
  y: number;
}

/**
 * Appends without calling arr.push: Chart.js patches push/splice/… on the arrays it
 * draws and re-syncs element by element on every call (measured: seconds-long main
 * thread tasks with three fast runs). An index assignment is invisible to it, and
 * the next update inserts all new points in one batch.
 */
export function append(arr: Pt[], p: Pt): void {
  arr[arr.length] = p;
}

export type XMode = 'step' | 'time';

export interface LrMarker {
  x: number;
  step: number;
  from: number;
  to: number;
}

/** A piecewise-constant line kept as corner points; the last point follows the newest x. */
export class StepLine {
  readonly pts: Pt[] = [];
  private cur = NaN;

  /** Extends the line to x with value v (NaN: the line ends/pauses). */
  add(x: number, v: number): void {
    const pts = this.pts;
    if (!Number.isFinite(v)) {
      this.cur = NaN;
      return;
    }
    if (pts.length === 0 || !Number.isFinite(this.cur)) {
      // First point, or restart after a gap: two points so a line segment exists.
      if (pts.length > 0) append(pts, { x, y: NaN }); // gap marker: Chart.js breaks the line at NaN
      append(pts, { x, y: v });
      append(pts, { x, y: v });
      this.cur = v;
      return;
    }
    const tail = pts[pts.length - 1];
    if (v !== this.cur) {
      tail.x = x; // old value up to x
      append(pts, { x, y: v }); // jump,
      append(pts, { x, y: v }); // then the new tail
      this.cur = v;
      return;
    }
    tail.x = x;
  }

  clear(): void {
    this.pts.length = 0;
    this.cur = NaN;
  }
}

export interface RunSeries {
  loss: Pt[];
  eig: Pt[][];
  threshold: StepLine;
  scaledEig: Pt[][];
  scaledThr: StepLine;
  markers: LrMarker[];
  testLoss: Pt[];
  /** Largest finite values stored, for the y ranges. */
  maxEig: number;
  maxScaled: number;
}

const [STEP, TIME, LR, LOSS, THR] = ['step', 'time', 'lr', 'loss', 'threshold'].map((c) => ROW_COLUMNS.indexOf(c as RowColumn));

/** Writes point n of arr, reusing the object already there (a rebuild allocates nothing). */
function put(arr: Pt[], n: number, x: number, y: number): void {
  const p = arr[n];
  if (p) {
    p.x = x;
    p.y = y;
  } else append(arr, { x, y });
}

/** Calls fn(tier, index) for stored rows [from, rows) of a store, oldest first. */
function forRows(store: TieredStore, from: number, fn: (t: Tier, i: number) => void): void {
  let base = 0;
  for (let t = store.tiers.length - 1; t >= 0; t--) {
    const tier = store.tiers[t];
    for (let i = Math.max(0, from - base); i < tier.n; i++) fn(tier, i);
    base += tier.n;
  }
}

/** Builds and incrementally extends one run's chart series. */
export class SeriesBuilder {
  readonly s: RunSeries;
  private k: number;
  private mode: XMode;
  /** Whether η·sharpness is meaningful (not gradient flow). */
  private scaled: boolean;
  // What has been drawn: the store's stamp then, and how many of its rows/points.
  private rowStamp = -1;
  private rowsDone = 0;
  private lossN = 0;
  private prevLr = NaN;
  private eigStamp = -1;
  private eigDone = 0;
  private eigN: number[] = [];
  private testN = 0;
  /** Row column drawn as the loss (a central flow draws its predicted average loss). */
  private readonly lossCol: number;

  constructor(k: number, mode: XMode, scaled: boolean, lossCol = LOSS) {
    this.lossCol = lossCol;
    this.k = k;
    this.mode = mode;
    this.scaled = scaled;
    this.s = SeriesBuilder.empty(k);
    this.eigN = new Array<number>(k).fill(0);
  }

  private static empty(k: number): RunSeries {
    return {
      loss: [],
      eig: Array.from({ length: k }, () => []),
      threshold: new StepLine(),
      scaledEig: Array.from({ length: k }, () => []),
      scaledThr: new StepLine(),
      markers: [],
      testLoss: [],
      maxEig: -Infinity,
      maxScaled: -Infinity,
    };
  }

  get xMode(): XMode {
    return this.mode;
  }

  /** Drops everything (new x mode, or the records were cleared); the next sync rebuilds. */
  reset(mode = this.mode, k = this.k, scaled = this.scaled): void {
    this.mode = mode;
    this.k = k;
    this.scaled = scaled;
    Object.assign(this.s, SeriesBuilder.empty(k));
    this.eigN = new Array<number>(k).fill(0);
    this.rowStamp = this.eigStamp = -1;
  }

  /** Brings the series up to date with `r`. Returns true if anything changed. */
  sync(r: RunRecords): boolean {
    if (r.k !== this.k) this.reset(this.mode, r.k);
    const a = this.syncRows(r.store);
    const b = this.syncEigs(r.eigStore);
    return a || b;
  }

  private syncRows(store: TieredStore): boolean {
    const s = this.s;
    const rows = store.rows;
    if (store.stamp !== this.rowStamp) {
      this.rowStamp = store.stamp;
      this.rowsDone = 0;
      this.lossN = 0;
      this.prevLr = NaN;
      s.threshold.clear();
      s.scaledThr.clear();
      s.markers.length = 0;
    } else if (rows === this.rowsDone) return false;
    const X = this.mode === 'step' ? STEP : TIME;
    forRows(store, this.rowsDone, (t, i) => {
      const x1 = t.last[X][i];
      const exact = t.count[i] === 1;
      const x0 = exact ? x1 : t.min[X][i];
      const L = this.lossCol;
      // Columns without extremes (a flow's pred_loss) give their last value for both.
      const lo = t.min[L] ? t.min[L][i] : t.last[L][i];
      const hi = t.max[L] ? t.max[L][i] : t.last[L][i];
      this.lossN = pair(s.loss, this.lossN, exact, x0, x1, lo, hi, t.last[L][i], 1, 0);
      const thr = t.last[THR][i];
      const lr = t.last[LR][i];
      if (!exact) s.threshold.add(x0, thr);
      s.threshold.add(x1, thr);
      if (this.scaled) {
        if (!exact) s.scaledThr.add(x0, thr * lr);
        s.scaledThr.add(x1, thr * lr);
        // Gradient flow records its adaptive RK4 step in the η column: not a user change.
        if (lr !== this.prevLr && this.prevLr === this.prevLr) {
          s.markers.push({ x: x0, step: t.min[STEP][i], from: this.prevLr, to: lr });
        }
      }
      this.prevLr = lr;
    });
    s.loss.length = this.lossN;
    this.rowsDone = rows;
    return true;
  }

  private syncEigs(store: TieredStore): boolean {
    const s = this.s;
    const rows = store.rows;
    if (store.stamp !== this.eigStamp) {
      this.eigStamp = store.stamp;
      this.eigDone = 0;
      this.eigN.fill(0);
      this.testN = 0;
      s.maxEig = s.maxScaled = -Infinity;
    } else if (rows === this.eigDone) return false;
    const X = this.mode === 'step' ? EIG_STEP : EIG_TIME;
    const k = this.k;
    const n = this.eigN;
    forRows(store, this.eigDone, (t, i) => {
      const x1 = t.last[X][i];
      const exact = t.count[i] === 1;
      const x0 = exact ? x1 : t.min[X][i];
      const lr = t.last[EIG_LR][i];
      for (let j = 0; j < k; j++) {
        const c = EIG_LR + 1 + j;
        const lo = t.min[c][i];
        const hi = t.max[c][i];
        const la = t.last[c][i];
        const before = n[j];
        n[j] = pair(s.eig[j], before, exact, x0, x1, lo, hi, la, 1, -Infinity);
        if (hi > s.maxEig) s.maxEig = hi;
        if (this.scaled) {
          pair(s.scaledEig[j], before, exact, x0, x1, lo, hi, la, lr, -Infinity);
          if (hi * lr > s.maxScaled) s.maxScaled = hi * lr;
        }
      }
      const tc = EIG_LR + 1 + k; // test_loss follows λ1…λk
      if (tc < t.last.length) this.testN = pair(s.testLoss, this.testN, exact, x0, x1, t.min[tc][i], t.max[tc][i], t.last[tc][i], 1, 0);
    });
    s.testLoss.length = this.testN;
    for (let j = 0; j < k; j++) {
      s.eig[j].length = n[j];
      if (this.scaled) s.scaledEig[j].length = n[j];
    }
    this.eigDone = rows;
    return true;
  }
}

/**
 * Writes one stored row's points at arr[n…] (values scaled by f), returns the new count:
 * an exact row's value, or a bucket's min and max in the order that follows its trend.
 * `floor`: values ≤ it are skipped (0 for the log-scaled loss, -Infinity otherwise).
 */
function pair(arr: Pt[], n: number, exact: boolean, x0: number, x1: number, lo: number, hi: number, last: number, f: number, floor: number): number {
  if (exact) {
    if (last > floor && last < Infinity) put(arr, n++, x1, last * f);
    return n;
  }
  const rising = Math.abs(last - hi) <= Math.abs(last - lo);
  const a = rising ? lo : hi;
  const b = rising ? hi : lo;
  if (a > floor && a < Infinity) put(arr, n++, x0, a * f);
  if (b > floor && b < Infinity) put(arr, n++, x1, b * f);
  return n;
}

/**
 * Upper end of a sharpness axis: show the data, but do not let a catapult spike or a
 * diverging run squash the plateau near the thresholds. `ceilThr` = largest threshold
 * shown. Below 3× it, a suggested maximum (Chart.js rounds it up to a tick); above, a
 * hard cut at 3× the threshold.
 */
export function axisRange(maxData: number, ceilThr: number): { max?: number; suggestedMax?: number } {
  const hasData = Number.isFinite(maxData) && maxData > 0;
  const hasThr = Number.isFinite(ceilThr) && ceilThr > 0;
  if (!hasThr) return hasData ? { suggestedMax: maxData * 1.05 } : {};
  if (hasData && maxData > 3 * ceilThr) return { max: niceCeil(3 * ceilThr * 1.05) };
  return { suggestedMax: Math.max(ceilThr * 1.15, hasData ? maxData * 1.02 : 0) };
}

/** Rounds up to a multiple of half a decade step below v (11.5 → 15, 34 → 35, 0.42 → 0.45). */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return v;
  const unit = 5 * 10 ** (Math.floor(Math.log10(v)) - 1);
  return Number((Math.ceil(v / unit - 1e-9) * unit).toPrecision(12));
}
