// Chart data plumbing, independent of Chart.js and of decimation: turns a run's
// records into {x, y} point arrays that we own (Chart.js decimation replaces
// ds.data's view, so we keep these and re-assign them each frame, TOOLCHAIN.md f).
// Incremental: sync() appends only the rows that arrived since the last call.
//
// Series per run:
//   loss          (x, loss)                    finite, > 0 rows only (log axis)
//   eig[j]        (x, λ_j)                     eigenvalue rows, j = 0..k-1
//   threshold     step function of 2/η (…)     piecewise constant, jumps where η or β changed
//   scaledEig[j]  (x, η·λ_j)                   GD-type optimisers only (flow has no η)
//   scaledThr     step function of η·threshold = 2, 2+2β, (2+2β)/(1+2β)
//   markers       x where η changed (drawn as vertical lines; not for gradient flow)

import type { RunRecords } from '../runs/records';

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

/** Keeps every other point, in place (no patched array methods, see append). */
export function halve(arr: Pt[]): void {
  let j = 0;
  for (let i = 0; i < arr.length; i += 2) arr[j++] = arr[i];
  arr.length = j;
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
  /** Largest finite values seen, for the y ranges. */
  maxEig: number;
  maxScaled: number;
}

/** Builds and incrementally extends one run's chart series. */
export class SeriesBuilder {
  readonly s: RunSeries;
  private rowsDone = 0;
  private eigDone = 0;
  private k: number;
  private mode: XMode;
  /** Whether η·sharpness is meaningful (not gradient flow). */
  private scaled: boolean;
  /** Points per series before thinning (very long runs stay cheap to draw). */
  private readonly cap: number;
  /** Every how many rows / eigenvalue rows a point is kept (doubles at each thinning). */
  private lossStride = 1;
  private eigStride = 1;

  constructor(k: number, mode: XMode, scaled: boolean, cap = 50_000) {
    this.k = k;
    this.mode = mode;
    this.scaled = scaled;
    this.cap = cap;
    this.s = SeriesBuilder.empty(k);
  }

  private static empty(k: number): RunSeries {
    return {
      loss: [],
      eig: Array.from({ length: k }, () => []),
      threshold: new StepLine(),
      scaledEig: Array.from({ length: k }, () => []),
      scaledThr: new StepLine(),
      markers: [],
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
    const fresh = SeriesBuilder.empty(k);
    Object.assign(this.s, fresh);
    this.lossStride = 1;
    this.eigStride = 1;
    this.rowsDone = 0;
    this.eigDone = 0;
  }

  /** Appends the rows of `r` not seen yet. Returns true if anything was added. */
  sync(r: RunRecords): boolean {
    if (r.rows < this.rowsDone || r.k !== this.k) this.reset(this.mode, r.k);
    const s = this.s;
    const xs = this.mode === 'step' ? r.cols.step.data : r.cols.time.data;
    const loss = r.cols.loss.data;
    const lr = r.cols.lr.data;
    const thr = r.cols.threshold.data;
    const rows = r.rows;
    const start = this.rowsDone;
    for (let i = start; i < rows; i++) {
      const x = xs[i];
      const l = loss[i];
      if (i % this.lossStride === 0 && Number.isFinite(l) && l > 0) append(s.loss, { x, y: l });
      s.threshold.add(x, thr[i]);
      if (this.scaled) s.scaledThr.add(x, thr[i] * lr[i]);
      // Gradient flow records its adaptive RK4 step in the η column: not a user change.
      if (this.scaled && i > 0 && lr[i] !== lr[i - 1]) {
        s.markers.push({ x, step: r.cols.step.data[i], from: lr[i - 1], to: lr[i] });
      }
    }
    this.rowsDone = rows;
    if (s.loss.length > this.cap) {
      halve(s.loss);
      this.lossStride *= 2;
    }
    const eRows = r.eigRows;
    for (let e = this.eigDone; e < eRows; e++) {
      const row = r.eigRow.data[e];
      const x = xs[row];
      const keep = e % this.eigStride === 0;
      for (let j = 0; j < this.k; j++) {
        const v = r.eig(e, j);
        if (!Number.isFinite(v)) continue;
        if (keep) append(s.eig[j], { x, y: v });
        if (v > s.maxEig) s.maxEig = v;
        if (this.scaled) {
          const sv = v * lr[row];
          if (keep) append(s.scaledEig[j], { x, y: sv });
          if (sv > s.maxScaled) s.maxScaled = sv;
        }
      }
    }
    this.eigDone = eRows;
    if (s.eig[0].length > this.cap) {
      for (const a of [...s.eig, ...s.scaledEig]) halve(a);
      this.eigStride *= 2;
    }
    return rows > start;
  }
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
