// CSV and JSON export of runs. A long run's older rows are stored as buckets (see
// records.ts), so both formats say which resolution each row range has: the JSON in
// each run's records (`resolution`, `count`, `min`/`max`, `aggregates`), the CSV in
// comment lines (`# …`, before the column header) and in its `agg` column:
//   exact   one row of the run, every column as recorded
//   min     a bucket's extremes: step and time are its first, loss, accuracy,
//   max       grad_norm and eigenvalues their min / max; other columns left empty
//   last    the bucket's last row (every column)
// Eigenvalues sit on the line of their exact row; eigenvalue rows whose step has no
// exact line (older buckets) get lines of their own with only step, time, η and λ.
// When a run has a held-out set (n_test > 0), the columns test_loss,test_accuracy follow
// the eigenvalues, filled on the eigenvalue rows (where the engine evaluates them).
// Adam and RMSProp runs: eig1..k are their preconditioned sharpness λ(P⁻¹H) (the one their
// threshold bounds) and raw1..k, right after eigk, the Hessian's own λ(H), as eos-run's CSV
// names them; the JSON says the same per run in `eigenvalues` (records.eig.values / .raw).

import type { EngineConfig } from '../engine/protocol';
import type { RunStatus } from '../engine/protocol';
import type { RecordArrays, Resolution } from './records';

export interface ExportedRun {
  id: number;
  label: string;
  color: string;
  opt: string;
  lr: number;
  beta: number;
  config: EngineConfig;
  phase: RunStatus; // the run's status when exported (JSON key kept for files already saved)
  divergedAt: number | null;
  error: string | null;
  records: RecordArrays;
}

const ROW_HEAD = ['step', 'time', 'lr', 'beta', 'loss', 'accuracy', 'grad_norm', 'threshold', 'hvps'] as const;
/** Columns that have min and max lines (the others are empty there). */
const EXTENT = new Set(['step', 'time', 'loss', 'accuracy', 'grad_norm']);

const num = (v: number | null | undefined) =>
  v === null || v === undefined ? '' : Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '' : v > 0 ? 'inf' : '-inf';

/** Adam and RMSProp measure their preconditioned sharpness (eos-run's eig1..k) beside the raw one (raw1..k). */
export function isAdaptive(opt: string): boolean {
  return opt === 'adam' || opt === 'rmsprop';
}

/** What records.eig.values (and .raw) hold for a run of optimiser `opt`, with the CSV's column names. */
export function eigenvalueKinds(opt: string): { values: string; raw?: string } {
  return isAdaptive(opt)
    ? { values: 'preconditioned sharpness λ(P⁻¹H), CSV eig1..k', raw: 'raw Hessian eigenvalues λ(H), CSV raw1..k' }
    : { values: 'Hessian eigenvalues λ(H), CSV eig1..k' };
}

/** 'steps 0-8191: 4096 rows, each min/max/last of 2; steps 8192-12287: 4096 rows, exact' */
export function describeResolution(res: Resolution[]): string {
  if (res.length === 0) return 'none';
  return res
    .map((r) => `steps ${r.from_step}-${r.to_step}: ${r.rows} rows, ${r.every === 1 ? 'exact' : `each min/max/last of ${r.every}`}`)
    .join('; ');
}

/** One CSV for all runs, long format: a `run` column, then the per-step record. */
export function toCSV(runs: ExportedRun[]): string {
  const k = Math.max(1, ...runs.map((r) => r.records.k));
  const head = ['run', 'label', 'agg', ...ROW_HEAD];
  for (let j = 1; j <= k; j++) head.push(`eig${j}`);
  // Raw sharpness columns (adam/rmsprop), after the eigenvalues, when some run has them.
  const hasRaw = runs.some((r) => r.records.eig.raw !== undefined);
  if (hasRaw) for (let j = 1; j <= k; j++) head.push(`raw${j}`);
  const hasTest = runs.some((r) => (r.records.eig.test_loss ?? []).some((v) => v !== null && Number.isFinite(v)));
  if (hasTest) head.push('test_loss', 'test_accuracy');
  // A central flow's columns, after the others, when some run has them (empty on other lines).
  const central = runs.some((r) => r.records.pred_loss !== undefined);
  if (central) head.push('pred_loss', 'sigma2');
  const lines = [
    '# EoS Lab records. agg: exact = one step; min/max/last = extremes and last row of a bucket of consecutive steps (step ranges from the min line to the max line).',
  ];
  if (hasRaw) {
    lines.push(
      '# eig1..k: the top Hessian eigenvalues λ(H); for adam and rmsprop runs the preconditioned sharpness λ(P⁻¹H), P = diag(√v̂ + ε), which their threshold bounds. raw1..k: the Hessian’s own λ(H) of adam and rmsprop runs (empty for others).',
    );
  }
  for (const r of runs) {
    lines.push(`# run ${r.id} rows: ${describeResolution(r.records.resolution)}`);
    lines.push(`# run ${r.id} eigenvalue rows: ${describeResolution(r.records.eig.resolution)}`);
  }
  lines.push(head.join(','));
  for (const r of runs) {
    const rec = r.records;
    const eg = rec.eig;
    const pre = `${r.id},"${r.label.replace(/"/g, '""')}"`;
    type EigSrc = { test_loss?: number[]; test_accuracy?: number[]; raw?: number[][] };
    const testCells = (src: EigSrc | null, e: number) =>
      hasTest ? [num(src?.test_loss?.[e]), num(src?.test_accuracy?.[e])] : [];
    const valueCells = (vals: number[] | null | undefined) => Array.from({ length: k }, (_, j) => (vals && j < vals.length ? num(vals[j]) : ''));
    const rawCells = (src: EigSrc | null, e: number) => (hasRaw ? valueCells(src?.raw?.[e]) : []);
    const eigCells = (vals: number[] | null, e = -1, src: EigSrc | null = eg) => {
      const at = e >= 0 ? src : null;
      return [...valueCells(vals), ...rawCells(at, e), ...testCells(at, e)];
    };
    const rowLine = (agg: string, i: number, vals: number[] | null, at = -1) => {
      const src = agg === 'min' ? rec.min : agg === 'max' ? rec.max : null;
      const cells = ROW_HEAD.map((c) => {
        if (!src) return c === 'hvps' ? String(rec.hvps[i]) : num(rec[c][i]);
        return EXTENT.has(c) ? num(src[c as keyof typeof src][i]) : '';
      });
      const extra = !central ? [] : src || !rec.pred_loss ? ['', ''] : [num(rec.pred_loss[i]), num(rec.sigma2?.[i])];
      lines.push([pre, agg, ...cells, ...eigCells(vals, at), ...extra].join(','));
    };
    const eigLine = (agg: string, e: number) => {
      const src = agg === 'min' ? eg.min : agg === 'max' ? eg.max : eg;
      const cells = ROW_HEAD.map((c) =>
        c === 'step' ? num(src.step[e]) : c === 'time' ? num(src.time[e]) : c === 'lr' && agg !== 'min' && agg !== 'max' ? num(eg.lr[e]) : '',
      );
      lines.push([pre, agg, ...cells, ...eigCells(src.values[e], e, src), ...(central ? ['', ''] : [])].join(','));
    };
    const eigOnly = (e: number) => {
      if (eg.count[e] === 1) eigLine('exact', e);
      else for (const a of ['min', 'max', 'last']) eigLine(a, e);
    };
    let e = 0;
    for (let i = 0; i < rec.rows; i++) {
      const st = rec.step[i];
      while (e < eg.step.length && eg.step[e] < st) eigOnly(e++);
      if (rec.count[i] === 1) {
        const at = e < eg.step.length && eg.count[e] === 1 && eg.step[e] === st ? e++ : -1;
        rowLine('exact', i, at >= 0 ? eg.values[at] : null, at);
      } else for (const a of ['min', 'max', 'last']) rowLine(a, i, null);
    }
    while (e < eg.step.length) eigOnly(e++);
  }
  return lines.join('\n') + '\n';
}

/**
 * JSON export: runs with config and records (with their resolution); non-finite numbers
 * become null. `extra` adds derived results shown on the page (e.g. the sweep's points).
 */
export function toJSON(runs: ExportedRun[], query: string, extra: Record<string, unknown> = {}): string {
  const described = runs.map((r) => ({ ...r, eigenvalues: eigenvalueKinds(r.opt) }));
  return JSON.stringify(
    { app: 'EoS Lab', exported: new Date().toISOString(), query, ...extra, runs: described },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
  );
}
