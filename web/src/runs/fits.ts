// The pictures of one run's fit that the data chart draws: the training set (once per run)
// and a bounded history of snapshots of the model on the data view (the worker sends one a
// few times per second). Old snapshots are thinned, never the newest ones, so that a
// scrubber can go back over the whole run at coarser steps and over the last stretch at the
// rate they arrived. lastSpike() finds the most recent loss spike in the run's records, so
// the chart can show the fit just before it and at its peak: at the Edge of Stability a
// spike is a visible jolt of the fitted function (Cohen et al. 2021, Section 3).

import type { DatasetView, FitValues } from '../engine/protocol';
import type { RunRecords } from './records';

export interface FitSnapshot {
  step: number;
  /** The loss of the run's last record when the snapshot was taken (NaN if none). */
  loss: number;
  values: Float32Array;
}

/** Snapshots kept per run: a 64 × 64 grid of 2 classes is 32 KB each. */
export const MAX_SNAPSHOTS = 64;

export class FitHistory {
  readonly snaps: FitSnapshot[] = [];
  /** Bumped on every change (the chart redraws only when it moved). */
  version = 0;

  constructor(
    readonly dataset: DatasetView | null,
    readonly max = MAX_SNAPSHOTS,
  ) {}

  push(fit: FitValues, loss: number): void {
    const snap: FitSnapshot = { step: fit.step, loss, values: fit.values };
    const last = this.snaps[this.snaps.length - 1];
    if (last && last.step === snap.step) this.snaps[this.snaps.length - 1] = snap; // a repeat (pause): the newer
    else this.snaps.push(snap);
    if (this.snaps.length > this.max) this.thin();
    this.version++;
  }

  get latest(): FitSnapshot | null {
    return this.snaps[this.snaps.length - 1] ?? null;
  }

  /** The latest snapshot at or before `step`, else the first one. */
  atOrBefore(step: number): number {
    let k = 0;
    for (let i = 0; i < this.snaps.length; i++) if (this.snaps[i].step <= step) k = i;
    return k;
  }

  /** The first snapshot at or after `step`, else the last one. */
  atOrAfter(step: number): number {
    for (let i = 0; i < this.snaps.length; i++) if (this.snaps[i].step >= step) return i;
    return this.snaps.length - 1;
  }

  /** Drops every other snapshot of the older half: the newest half stays at full rate. */
  private thin(): void {
    const old = this.snaps.length - Math.floor(this.max / 2);
    const kept = this.snaps.slice(0, old).filter((_, i) => i % 2 === 0);
    this.snaps.splice(0, old, ...kept);
  }
}

export interface Spike {
  /** Step of the lowest loss in the window before the rise, and of the spike's peak. */
  start: number;
  peak: number;
  from: number;
  to: number;
}

/**
 * The most recent loss spike among (step, loss) rows: a row whose loss exceeds `ratio` × the
 * lowest loss of the `window` rows before it; the spike runs from that lowest row to the top
 * of the climb that follows. Only the last `scan` rows are looked at. null when there is none.
 */
export function lastSpike(step: ArrayLike<number>, loss: ArrayLike<number>, ratio = 1.1, window = 100, scan = 4096): Spike | null {
  const n = Math.min(step.length, loss.length);
  let found: Spike | null = null;
  let i = Math.max(1, n - scan);
  while (i < n) {
    let j = -1;
    for (let q = Math.max(0, i - window, n - scan); q < i; q++) if (Number.isFinite(loss[q]) && (j < 0 || loss[q] < loss[j])) j = q;
    if (j < 0 || !(loss[i] > ratio * loss[j])) {
      i++;
      continue;
    }
    let k = i;
    while (k + 1 < n && loss[k + 1] >= loss[k]) k++;
    found = { start: step[j], peak: step[k], from: loss[j], to: loss[k] };
    i = k + 1;
    while (i < n && loss[i] > ratio * loss[j]) i++; // the way down is part of this spike
  }
  return found;
}

/** lastSpike over a run's stored records. */
export function lastSpikeOf(records: RunRecords): Spike | null {
  const n = records.rows;
  const from = Math.max(0, n - 4096);
  const step = new Float64Array(n - from);
  const loss = new Float64Array(n - from);
  for (let i = from; i < n; i++) {
    step[i - from] = records.cols.step.get(i);
    loss[i - from] = records.cols.loss.get(i);
  }
  return lastSpike(step, loss);
}
