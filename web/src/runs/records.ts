// Per-run record storage with bounded memory: the worker streams RecordChunks (struct
// of arrays) and keeps none; here every row goes into a TieredStore (tiers.ts), which
// keeps the newest rows exactly (at least 4,096, up to 8,192, so a run of the default
// 3,000 steps keeps every row) and older ones in buckets that double in width with age,
// under a fixed number of bytes whatever the run length (about 2.8 MB of rows).
// Eigenvalue rows go into a store of their own (columns step, time, lr, λ1…λk, then the
// held-out test_loss and test_accuracy, which the engine evaluates on exactly those rows;
// NaN for runs without a held-out set).
//
// What a bucket keeps, per column (the charts draw both extremes of the extent columns):
//   step, time                 min and max = the bucket's first and last row (its range)
//   loss, accuracy, grad_norm  min, max and last (loss spikes stay visible however old)
//   λ1…λk                      min, max and last (sharpness peaks stay visible)
//   lr, beta, threshold, neig, hvps   last only (piecewise constant, or counters)
// `cols`, `eig()`, `last()` and `toArrays()`' columns give the last value of each stored
// row, which on exact rows is the row itself.

import type { RecordChunk, ValleySlice } from '../engine/protocol';
import { type TierRange, TieredStore } from './tiers';

export const ROW_COLUMNS = ['step', 'time', 'lr', 'beta', 'loss', 'accuracy', 'grad_norm', 'threshold', 'neig', 'hvps'] as const;
export type RowColumn = (typeof ROW_COLUMNS)[number];
/** Columns of a central flow's records only (after the row columns): its predicted average loss and σ². */
export const CENTRAL_COLUMNS = ['pred_loss', 'sigma2'] as const;
export type CentralColumn = (typeof CENTRAL_COLUMNS)[number];
/** Row columns whose min and max are kept per bucket. */
export const EXTENT_COLUMNS = ['step', 'time', 'loss', 'accuracy', 'grad_norm'] as const;
export type ExtentColumn = (typeof EXTENT_COLUMNS)[number];
const ROW_EXTENT = ROW_COLUMNS.map((c) => (EXTENT_COLUMNS as readonly string[]).includes(c));

/** Columns of the eigenvalue store: step, time, lr, then λ1…λk. */
export const EIG_STEP = 0;
export const EIG_TIME = 1;
export const EIG_LR = 2;
const EIG_FIRST = 3;
/** The held-out columns (runs with n_test > 0), stored after λ1…λk in the eigenvalue store. */
export const TEST_COLUMNS = ['test_loss', 'test_accuracy'] as const;
export type TestColumn = (typeof TEST_COLUMNS)[number];

/** Sizes of the two stores (exact window, buckets per older tier, older tiers). */
export const ROW_STORE = { window: 8192, tierCap: 2048, tiers: 6 };
export const EIG_STORE = { window: 4096, tierCap: 1024, tiers: 6 };

/** A row range stored at one resolution: `every` rows per stored row (1 = exact). */
export interface Resolution {
  from_step: number;
  to_step: number;
  every: number;
  rows: number;
}

/** Exported, JSON-friendly form of a run's records (one entry per stored row, in step order). */
export interface RecordArrays {
  /** Stored rows, and rows the run produced (equal while every row is kept). */
  rows: number;
  appended: number;
  k: number;
  /** Row ranges and their resolution, oldest first. */
  resolution: Resolution[];
  /** What an aggregated row holds. */
  aggregates: string;
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
  /** Rows of the run aggregated into each stored row (1 = exact). */
  count: number[];
  /** A central flow's records only: L + ½σ²S and σ² (the last of each stored row). */
  pred_loss?: number[];
  sigma2?: number[];
  /** Per stored row, the min and max of the extent columns (equal to the row when exact). */
  min: Record<ExtentColumn, number[]>;
  max: Record<ExtentColumn, number[]>;
  /** Eigenvalue rows, stored like the rows: step, time, η and top-k values (descending) of the last
   * row of each bucket, and the extremes (min.step and max.step are the bucket's first and last step). */
  eig: {
    /** Index of the stored row whose step range holds this eigenvalue row's (last) step, −1 if none. */
    row: number[];
    step: number[];
    time: number[];
    lr: number[];
    count: number[];
    values: number[][];
    /** Held-out loss and accuracy per eigenvalue row (NaN where none; absent in older files). */
    test_loss?: number[];
    test_accuracy?: number[];
    min: EigExtent;
    max: EigExtent;
    resolution: Resolution[];
    /** adam, rmsprop: the raw Hessian eigenvalues of the same rows (values are then those of P⁻¹H). */
    raw?: number[][];
  };
}

/** How many of the latest u_proj values a run keeps for the valley view. */
export const U_PROJ_KEEP = 400;

export interface EigExtent {
  step: number[];
  time: number[];
  values: number[][];
  /** Held-out loss and accuracy (NaN where none; absent in files saved before they existed). */
  test_loss?: number[];
  test_accuracy?: number[];
  /** adam, rmsprop: the extremes of the raw Hessian eigenvalues over the same buckets. */
  raw?: number[][];
}

export const AGGREGATES =
  'A stored row with count > 1 stands for `count` consecutive rows: each column holds the last of them, ' +
  'and min/max hold the extremes of step, time, loss, accuracy and grad_norm (and of each eigenvalue), ' +
  'so step ranges over [min.step, max.step].';

/** Read access to one column in stored-row order (the last value of each stored row). */
export class ColumnView {
  constructor(
    private readonly store: TieredStore,
    private readonly c: number,
  ) {}
  get length(): number {
    return this.store.rows;
  }
  get(i: number): number {
    const [t, j] = this.store.locate(i);
    return t.last[this.c][j];
  }
  toArray(): number[] {
    return columnArray(this.store, this.c, 'last');
  }
}

/** Column c of a store over all stored rows, oldest first. */
export function columnArray(store: TieredStore, c: number, agg: 'last' | 'min' | 'max' | 'count'): number[] {
  const out: number[] = [];
  for (let t = store.tiers.length - 1; t >= 0; t--) {
    const tier = store.tiers[t];
    const a = agg === 'count' ? tier.count : tier[agg][c];
    for (let i = 0; i < tier.n; i++) out.push(a[i]);
  }
  return out;
}

const toResolution = (r: TierRange): Resolution => ({ from_step: r.from, to_step: r.to, every: r.every, rows: r.rows });

export class RunRecords {
  readonly store: TieredStore;
  eigStore: TieredStore;
  readonly cols: Record<RowColumn, ColumnView>;
  k: number;
  private eigRow: Float64Array;
  /** Whether the rows also hold CENTRAL_COLUMNS (a central flow's records). */
  readonly central: boolean;
  /** adam, rmsprop: the raw Hessian eigenvalues, stored like eigStore (step, time, lr, raw1…rawk); made on the first. */
  rawStore: TieredStore | null = null;
  /** With the valley view: the latest steps' component along the top eigenvector, oldest first. */
  readonly uProj: { step: number[]; value: number[] } = { step: [], value: [] };
  /** The latest valley slice the engine sent, or null. */
  valley: ValleySlice | null = null;

  constructor(k = 1, central = false) {
    this.k = k;
    this.central = central;
    const names: readonly string[] = central ? [...ROW_COLUMNS, ...CENTRAL_COLUMNS] : ROW_COLUMNS;
    const extent = central ? [...ROW_EXTENT, ...CENTRAL_COLUMNS.map(() => false)] : ROW_EXTENT;
    this.store = new TieredStore(names, extent, ROW_STORE.window, ROW_STORE.tierCap, ROW_STORE.tiers);
    this.cols = {} as Record<RowColumn, ColumnView>;
    ROW_COLUMNS.forEach((c, i) => (this.cols[c] = new ColumnView(this.store, i)));
    this.eigStore = RunRecords.eigStoreFor(k);
    this.eigRow = new Float64Array(EIG_FIRST + k + TEST_COLUMNS.length);
  }

  private static eigStoreFor(k: number): TieredStore {
    const names = ['step', 'time', 'lr', ...Array.from({ length: k }, (_, j) => `eig${j + 1}`), ...TEST_COLUMNS];
    const extent = names.map((n) => n !== 'lr');
    return new TieredStore(names, extent, EIG_STORE.window, EIG_STORE.tierCap, EIG_STORE.tiers);
  }

  /** Stored rows (every row of the run until it outgrows the exact window). */
  get rows(): number {
    return this.store.rows;
  }
  /** Rows the run produced since the last clear. */
  get appended(): number {
    return this.store.pushed;
  }
  get eigRows(): number {
    return this.eigStore.rows;
  }

  /** Top-j eigenvalue (0 = sharpness) of stored eigenvalue row e (the last of its bucket). */
  eig(e: number, j: number): number {
    const [t, i] = this.eigStore.locate(e);
    return t.last[EIG_FIRST + j][i];
  }

  /** Bytes held by the typed arrays of both stores. */
  bytes(): number {
    return this.store.bytes() + this.eigStore.bytes() + (this.rawStore?.bytes() ?? 0);
  }

  clear(k = this.k): void {
    this.store.clear();
    if (k !== this.k) {
      this.eigStore = RunRecords.eigStoreFor(k);
      this.eigRow = new Float64Array(EIG_FIRST + k + TEST_COLUMNS.length);
    } else this.eigStore.clear();
    this.k = k;
    this.rawStore = null;
    this.uProj.step.length = 0;
    this.uProj.value.length = 0;
    this.valley = null;
  }

  append(chunk: RecordChunk): void {
    const n = chunk.rows;
    const cols: (Float64Array | Int32Array)[] = ROW_COLUMNS.map((c) => chunk[c]);
    if (this.central) for (const c of CENTRAL_COLUMNS) cols.push(chunk[c] ?? new Float64Array(n).fill(NaN));
    this.store.pushColumns(cols, 0, n);
    const ck = chunk.k;
    const row = this.eigRow;
    for (let i = 0; i < n; i++) {
      const ne = chunk.neig[i];
      if (ne <= 0) continue;
      row[EIG_STEP] = chunk.step[i];
      row[EIG_TIME] = chunk.time[i];
      row[EIG_LR] = chunk.lr[i];
      for (let j = 0; j < this.k; j++) row[EIG_FIRST + j] = j < ck && j < ne ? chunk.eigs[i * ck + j] : NaN;
      row[EIG_FIRST + this.k] = chunk.test_loss ? chunk.test_loss[i] : NaN;
      row[EIG_FIRST + this.k + 1] = chunk.test_accuracy ? chunk.test_accuracy[i] : NaN;
      this.eigStore.push(row);
    }
    this.appendAdaptive(chunk);
  }

  /** The raw sharpness of adam/rmsprop rows and the valley's u_proj, when the chunk has them. */
  private appendAdaptive(chunk: RecordChunk): void {
    const n = chunk.rows;
    const ck = chunk.k;
    const raw = chunk.raw as Float64Array | undefined;
    if (raw) {
      for (let i = 0; i < n; i++) {
        if (chunk.neig[i] <= 0 || !Number.isFinite(raw[i * ck])) continue;
        this.rawStore ??= RunRecords.eigStoreFor(this.k);
        const row = this.eigRow;
        row[EIG_STEP] = chunk.step[i];
        row[EIG_TIME] = chunk.time[i];
        row[EIG_LR] = chunk.lr[i];
        for (let j = 0; j < this.k; j++) row[EIG_FIRST + j] = j < ck ? raw[i * ck + j] : NaN;
        this.rawStore.push(row);
      }
    }
    const up = chunk.u_proj as Float64Array | undefined;
    if (up) {
      const u = this.uProj;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(up[i])) continue;
        u.step.push(chunk.step[i]);
        u.value.push(up[i]);
      }
      if (u.step.length > U_PROJ_KEEP) {
        u.step.splice(0, u.step.length - U_PROJ_KEEP);
        u.value.splice(0, u.value.length - U_PROJ_KEEP);
      }
    }
  }

  /** Latest raw sharpness (adam, rmsprop), NaN if none. */
  lastRawSharpness(): number {
    return this.rawStore ? this.rawStore.lastOf(EIG_FIRST) : NaN;
  }

  /** Last value of a column, NaN when empty. */
  last(c: RowColumn): number {
    return this.store.lastOf(ROW_COLUMNS.indexOf(c));
  }

  /** Column index of a held-out column in the eigenvalue store. */
  testColumn(c: TestColumn): number {
    return EIG_FIRST + this.k + TEST_COLUMNS.indexOf(c);
  }

  /** Held-out loss or accuracy of stored eigenvalue row e (the last of its bucket), NaN if none. */
  test(e: number, c: TestColumn): number {
    const [t, i] = this.eigStore.locate(e);
    return t.last[this.testColumn(c)][i];
  }

  /** Last value of a central flow's column (pred_loss, sigma2), NaN when empty or not a flow. */
  lastCentral(c: CentralColumn): number {
    return this.central ? this.store.lastOf(ROW_COLUMNS.length + CENTRAL_COLUMNS.indexOf(c)) : NaN;
  }

  /** Latest sharpness (top eigenvalue), NaN if none yet. */
  lastSharpness(): number {
    return this.eigStore.lastOf(EIG_FIRST);
  }

  resolution(): Resolution[] {
    return this.store.resolution().map(toResolution);
  }

  toArrays(): RecordArrays {
    const s = this.store;
    const out = {
      rows: s.rows,
      appended: s.pushed,
      k: this.k,
      resolution: this.resolution(),
      aggregates: AGGREGATES,
    } as RecordArrays;
    const cols = out as unknown as Record<string, number[]>;
    ROW_COLUMNS.forEach((c, i) => (cols[c] = columnArray(s, i, 'last')));
    out.count = columnArray(s, 0, 'count');
    if (this.central) CENTRAL_COLUMNS.forEach((c, j) => (out[c] = columnArray(s, ROW_COLUMNS.length + j, 'last')));
    out.min = {} as RecordArrays['min'];
    out.max = {} as RecordArrays['max'];
    for (const c of EXTENT_COLUMNS) {
      out.min[c] = columnArray(s, ROW_COLUMNS.indexOf(c), 'min');
      out.max[c] = columnArray(s, ROW_COLUMNS.indexOf(c), 'max');
    }
    const e = this.eigStore;
    const byRow = (agg: 'last' | 'min' | 'max') => {
      const per = Array.from({ length: this.k }, (_, j) => columnArray(e, EIG_FIRST + j, agg));
      return Array.from({ length: e.rows }, (_, r) => per.map((col) => col[r]));
    };
    const extent = (agg: 'min' | 'max'): EigExtent => ({
      step: columnArray(e, EIG_STEP, agg),
      time: columnArray(e, EIG_TIME, agg),
      values: byRow(agg),
      test_loss: columnArray(e, this.testColumn('test_loss'), agg),
      test_accuracy: columnArray(e, this.testColumn('test_accuracy'), agg),
    });
    const eigStep = columnArray(e, EIG_STEP, 'last');
    const row: number[] = [];
    let i = 0;
    for (const st of eigStep) {
      while (i < out.rows && out.step[i] < st) i++; // both are in step order
      row.push(i < out.rows && out.min.step[i] <= st ? i : -1);
    }
    out.eig = {
      row,
      step: eigStep,
      time: columnArray(e, EIG_TIME, 'last'),
      lr: columnArray(e, EIG_LR, 'last'),
      count: columnArray(e, 0, 'count'),
      values: byRow('last'),
      test_loss: columnArray(e, this.testColumn('test_loss'), 'last'),
      test_accuracy: columnArray(e, this.testColumn('test_accuracy'), 'last'),
      min: extent('min'),
      max: extent('max'),
      resolution: e.resolution().map(toResolution),
    };
    const rs = this.rawStore;
    if (rs) {
      // Matched to the eigenvalue rows by step, so raw[e] is always eigenvalue row e's (the two
      // stores bucket alike while every eigenvalue row has raw values, as adam/rmsprop rows do;
      // a row without its raw values gets NaN rather than a neighbour's).
      const at = new Map(columnArray(rs, EIG_STEP, 'last').map((st, r) => [st, r]));
      const rawRows = (agg: 'last' | 'min' | 'max') => {
        const per = Array.from({ length: this.k }, (_, j) => columnArray(rs, EIG_FIRST + j, agg));
        return eigStep.map((st) => {
          const r = at.get(st);
          return per.map((col) => (r === undefined ? NaN : col[r]));
        });
      };
      out.eig.raw = rawRows('last');
      out.eig.min.raw = rawRows('min');
      out.eig.max.raw = rawRows('max');
    }
    return out;
  }
}
