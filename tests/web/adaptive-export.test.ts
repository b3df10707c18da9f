// Unit tests of the page's exports for adaptive runs (web/src/runs/export.ts, records.ts):
// the CSV and JSON carry an adam/rmsprop run's raw sharpness (raw1..k, eos-run's column names)
// beside the preconditioned eig1..k, on the right rows (bucketed rows included, with their
// extents), and say which is which; runs without raw values export no raw columns.

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { RunRecords } from '../../web/src/runs/records';
import { type ExportedRun, toCSV, toJSON } from '../../web/src/runs/export';

/** An adam-like run: eigenvalues (preconditioned) and raw values every 10 steps. */
function chunk(start: number, rows: number, k: number): RecordChunk {
  const f = () => new Float64Array(rows);
  const c: RecordChunk = {
    rows, k, step: f(), time: f(), lr: f(), beta: f(), loss: f(), accuracy: f(), grad_norm: f(), threshold: f(),
    neig: new Int32Array(rows), hvps: new Int32Array(rows), eigs: new Float64Array(rows * k).fill(NaN), raw: new Float64Array(rows * k).fill(NaN),
  };
  for (let i = 0; i < rows; i++) {
    const t = start + i;
    c.step[i] = t;
    c.time[i] = 0.002 * t;
    c.lr[i] = 0.002;
    c.loss[i] = 1 / (1 + t);
    c.threshold[i] = 38 / 0.002;
    if (t % 10 === 0) {
      c.neig[i] = k;
      c.hvps[i] = 12;
      for (let j = 0; j < k; j++) {
        c.eigs[i * k + j] = 19000 + t - j;
        c.raw![i * k + j] = 4 + t / 1000 - j / 10;
      }
    }
  }
  return c;
}

function run(opt: string, id: number, steps: number, k: number, withRaw: boolean): ExportedRun {
  const r = new RunRecords(k);
  for (let s = 0; s < steps; s += 37) {
    const c = chunk(s, Math.min(37, steps - s), k);
    if (!withRaw) delete c.raw;
    r.append(c);
  }
  return { id, label: `${opt} ${id}`, color: '#000', opt, lr: 0.002, beta: 0.9, config: {} as ExportedRun['config'], phase: 'paused', divergedAt: null, error: null, records: r.toArrays() };
}

describe('exports of adam/rmsprop runs: raw sharpness columns', () => {
  it('CSV: raw1..rawk after eig1..eigk, on the eigenvalue rows, and a line saying which is which', () => {
    const csv = toCSV([run('adam', 1, 200, 2, true)]).trim().split('\n');
    const head = csv.find((l) => l.startsWith('run,'))!.split(',');
    expect(head.slice(head.indexOf('eig1'))).toEqual(['eig1', 'eig2', 'raw1', 'raw2']);
    expect(csv.some((l) => l.startsWith('#') && l.includes('preconditioned') && l.includes('raw1..k'))).toBe(true);
    const rows = csv.filter((l) => /^\d/.test(l)).map((l) => l.split(','));
    const col = (name: string) => head.indexOf(name);
    let eigRows = 0;
    for (const r of rows) {
      const step = Number(r[col('step')]);
      if (step % 10 === 0) {
        eigRows++;
        expect(Number(r[col('eig1')])).toBe(19000 + step);
        expect(Number(r[col('eig2')])).toBe(19000 + step - 1);
        expect(Number(r[col('raw1')])).toBeCloseTo(4 + step / 1000, 12);
        expect(Number(r[col('raw2')])).toBeCloseTo(4 + step / 1000 - 0.1, 12);
      } else {
        expect(r[col('raw1')]).toBe('');
        expect(r[col('eig1')]).toBe('');
      }
    }
    expect(eigRows).toBe(20);
  });

  it('CSV: a gd run beside an adam run has empty raw cells; a gd-only export has no raw columns', () => {
    const both = toCSV([run('adam', 1, 100, 1, true), run('gd', 2, 100, 1, false)]).trim().split('\n');
    const head = both.find((l) => l.startsWith('run,'))!.split(',');
    const gdRow = both.find((l) => l.startsWith('2,') && l.split(',')[head.indexOf('step')] === '50')!.split(',');
    expect(gdRow[head.indexOf('eig1')]).toBe(String(19050));
    expect(gdRow[head.indexOf('raw1')]).toBe('');
    const plain = toCSV([run('gd', 1, 100, 1, false)]).split('\n').find((l) => l.startsWith('run,'))!;
    expect(plain).not.toContain('raw1');
    expect(plain.endsWith('hvps,eig1')).toBe(true);
  });

  it('CSV: bucketed eigenvalue rows keep raw extents on their min/max lines', () => {
    // 20,000 steps, eigenvalues every 10: 2,000 eigenvalue rows, within the exact capacity;
    // 200,000 steps give 20,000 eigenvalue rows, so the oldest are bucketed.
    const r = run('rmsprop', 1, 200000, 1, true);
    expect(r.records.eig.raw).toHaveLength(r.records.eig.values.length);
    const e = r.records.eig.count.findIndex((c) => c > 1);
    expect(e).toBeGreaterThanOrEqual(0);
    const min = r.records.eig.min.raw![e][0];
    const max = r.records.eig.max.raw![e][0];
    expect(min).toBeCloseTo(4 + r.records.eig.min.step[e] / 1000, 9);
    expect(max).toBeCloseTo(4 + r.records.eig.max.step[e] / 1000, 9);
    for (let i = 0; i < r.records.eig.values.length; i++) {
      expect(r.records.eig.raw![i][0]).toBeCloseTo(4 + r.records.eig.step[i] / 1000, 9);
    }
  });

  it('JSON: records.eig.raw beside records.eig.values, and each run says which is preconditioned', () => {
    const doc = JSON.parse(toJSON([run('adam', 1, 100, 2, true), run('gd', 2, 100, 2, false)], 'opt=adam'));
    const [adam, gd] = doc.runs;
    expect(adam.eigenvalues.values).toMatch(/preconditioned.*eig1\.\.k/);
    expect(adam.eigenvalues.raw).toMatch(/raw.*raw1\.\.k/);
    expect(adam.records.eig.raw).toHaveLength(adam.records.eig.values.length);
    expect(adam.records.eig.raw[5][0]).toBeCloseTo(4.05, 12);
    expect(adam.records.eig.values[5][0]).toBe(19050);
    expect(gd.eigenvalues.values).toMatch(/^Hessian/);
    expect(gd.eigenvalues.raw).toBeUndefined();
    expect(gd.records.eig.raw).toBeUndefined();
  });
});
