// Per-run record storage: the worker streams RecordChunks (struct of arrays); we
// append them into growable typed arrays (amortised doubling, no per-row objects),
// keep eigenvalues only for rows that have them, and export plain arrays.

import type { RecordChunk } from '../engine/protocol';

/** A Float64Array that grows by doubling. */
export class GrowF64 {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(1, capacity));
  }
  reserve(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length;
    while (cap < n) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }
  pushMany(src: ArrayLike<number>, from = 0, to = src.length): void {
    const n = Math.max(0, to - from);
    this.reserve(this.length + n);
    if (ArrayBuffer.isView(src) && !(src instanceof DataView)) {
      // Typed arrays (Int32 too) convert element-wise inside set(): one native copy.
      this.data.set((src as unknown as Float64Array).subarray(from, to), this.length);
      this.length += n;
    } else {
      for (let i = from; i < to; i++) this.data[this.length++] = src[i];
    }
  }
  get(i: number): number {
    return this.data[i];
  }
  clear(): void {
    this.length = 0;
  }
  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.length));
  }
}

export const ROW_COLUMNS = ['step', 'time', 'lr', 'beta', 'loss', 'accuracy', 'grad_norm', 'threshold', 'neig', 'hvps'] as const;
export type RowColumn = (typeof ROW_COLUMNS)[number];

/** Exported, JSON-friendly form of a run's records. */
export interface RecordArrays {
  rows: number;
  k: number;
  step: number[];
  time: number[];
  lr: number[];
  beta: number[];
  loss: number[];
  accuracy: number[];
  grad_norm: number[];
  threshold: number[];
  neig: number[];
  hvps: number[];
  /** Rows that carry eigenvalues: their row index, step, and top-k values (descending). */
  eig: { row: number[]; step: number[]; values: number[][] };
}

export class RunRecords {
  readonly cols: Record<RowColumn, GrowF64>;
  /** Row index of each eigenvalue row. */
  readonly eigRow = new GrowF64(128);
  /** eigRows × k values, row-major, NaN where the engine returned fewer than k. */
  readonly eigs = new GrowF64(128);
  k: number;

  constructor(k = 1) {
    this.k = k;
    this.cols = {} as Record<RowColumn, GrowF64>;
    for (const c of ROW_COLUMNS) this.cols[c] = new GrowF64();
  }

  get rows(): number {
    return this.cols.step.length;
  }
  get eigRows(): number {
    return this.eigRow.length;
  }

  /** Top-j eigenvalue (0 = sharpness) of eigenvalue row e. */
  eig(e: number, j: number): number {
    return this.eigs.data[e * this.k + j];
  }

  clear(k = this.k): void {
    for (const c of ROW_COLUMNS) this.cols[c].clear();
    this.eigRow.clear();
    this.eigs.clear();
    this.k = k;
  }

  append(chunk: RecordChunk): void {
    const n = chunk.rows;
    const base = this.rows;
    for (const c of ROW_COLUMNS) this.cols[c].pushMany(chunk[c], 0, n);
    const ck = chunk.k;
    for (let i = 0; i < n; i++) {
      if (chunk.neig[i] <= 0) continue;
      this.eigRow.push(base + i);
      for (let j = 0; j < this.k; j++) {
        this.eigs.push(j < ck && j < chunk.neig[i] ? chunk.eigs[i * ck + j] : NaN);
      }
    }
  }

  /** Last value of a column, NaN when empty. */
  last(c: RowColumn): number {
    const col = this.cols[c];
    return col.length ? col.data[col.length - 1] : NaN;
  }

  /** Latest sharpness (top eigenvalue), NaN if none yet. */
  lastSharpness(): number {
    return this.eigRows ? this.eig(this.eigRows - 1, 0) : NaN;
  }

  toArrays(): RecordArrays {
    const out = { rows: this.rows, k: this.k } as RecordArrays;
    for (const c of ROW_COLUMNS) (out as unknown as Record<string, number[]>)[c] = this.cols[c].toArray();
    const values: number[][] = [];
    const step: number[] = [];
    for (let e = 0; e < this.eigRows; e++) {
      const row: number[] = [];
      for (let j = 0; j < this.k; j++) row.push(this.eig(e, j));
      values.push(row);
      step.push(this.cols.step.data[this.eigRow.data[e]]);
    }
    out.eig = { row: this.eigRow.toArray(), step, values };
    return out;
  }
}
