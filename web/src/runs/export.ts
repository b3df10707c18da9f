// CSV and JSON export of every run: its settings, status and records.

import type { RunStatus } from '../engine/protocol';
import type { RecordArrays } from './records';
import type { EngineValues } from '../state/schema';

export interface ExportedRun {
  id: number;
  label: string;
  color: string;
  opt: string;
  lr: number;
  beta: number;
  config: EngineValues;
  status: RunStatus;
  divergedAt: number | null;
  error: string | null;
  records: RecordArrays;
}

/** One CSV for all runs, long format: a `run` column, then the per-step record. */
export function toCSV(runs: ExportedRun[]): string {
  const k = Math.max(1, ...runs.map((r) => r.records.k));
  const head = ['run', 'label', 'step', 'time', 'lr', 'beta', 'loss', 'accuracy', 'grad_norm', 'threshold', 'hvps'];
  for (let j = 1; j <= k; j++) head.push(`eig${j}`);
  const lines = [head.join(',')];
  const num = (v: number) => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '' : v > 0 ? 'inf' : '-inf');
  for (const r of runs) {
    const rec = r.records;
    const eigAt = new Map<number, number[]>();
    rec.eig.row.forEach((row, e) => eigAt.set(row, rec.eig.values[e]));
    const label = `"${r.label.replace(/"/g, '""')}"`;
    for (let i = 0; i < rec.rows; i++) {
      const cells = [
        String(r.id), label, num(rec.step[i]), num(rec.time[i]), num(rec.lr[i]), num(rec.beta[i]),
        num(rec.loss[i]), num(rec.accuracy[i]), num(rec.grad_norm[i]), num(rec.threshold[i]), String(rec.hvps[i]),
      ];
      const e = eigAt.get(i);
      for (let j = 0; j < k; j++) cells.push(e && j < e.length ? num(e[j]) : '');
      lines.push(cells.join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** JSON export: runs with config and records; non-finite numbers become null. */
export function toJSON(runs: ExportedRun[], query: string): string {
  return JSON.stringify(
    { app: 'EoS Lab', exported: new Date().toISOString(), query, runs },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
  );
}
