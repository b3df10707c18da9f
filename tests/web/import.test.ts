// Unit tests of loading a saved run back (web/src/runs/import.ts): the page's JSON export
// (export.ts toJSON) read back gives the same stored rows and eigenvalue rows, the settings
// the run was made with, and a clear message naming the field for a file that is not a
// loadable export.

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { RunRecords } from '../../web/src/runs/records';
import { type ExportedRun, toJSON } from '../../web/src/runs/export';
import { importSaved } from '../../web/src/runs/import';

/** Rows [0, rows) of a made-up run: η 0.2, eigenvalues (k of them) every 10 steps, a loss with spikes. */
function chunk(rows: number, k: number): RecordChunk {
  const c: RecordChunk = {
    rows, k,
    step: new Float64Array(rows), time: new Float64Array(rows), lr: new Float64Array(rows), beta: new Float64Array(rows),
    loss: new Float64Array(rows), accuracy: new Float64Array(rows), grad_norm: new Float64Array(rows),
    threshold: new Float64Array(rows), neig: new Int32Array(rows), hvps: new Int32Array(rows),
    eigs: new Float64Array(rows * k),
  };
  for (let t = 0; t < rows; t++) {
    c.step[t] = t;
    c.time[t] = 0.2 * t;
    c.lr[t] = 0.2;
    c.beta[t] = 0.9;
    c.loss[t] = (1 + (t % 97 === 0 ? 3 : 0)) / (1 + 0.01 * t);
    c.accuracy[t] = NaN; // regression: exported as null
    c.grad_norm[t] = 1 + (t % 7);
    c.threshold[t] = 10;
    const has = t % 10 === 0;
    c.neig[t] = has ? k : 0;
    c.hvps[t] = has ? 17 : 0;
    for (let j = 0; j < k; j++) c.eigs[t * k + j] = has ? (9 + Math.sin(t)) / (j + 1) : NaN;
  }
  return c;
}

function saved(rows: number, k = 2, over: Partial<ExportedRun> = {}): { rec: RunRecords; run: ExportedRun } {
  const rec = new RunRecords(k);
  rec.append(chunk(rows, k));
  const run: ExportedRun = {
    id: 1, label: 'GD η=0.2', color: '#3b82f6', opt: 'gd', lr: 0.2, beta: 0.9,
    config: { lr: 0.2 } as ExportedRun['config'], phase: 'done', divergedAt: null, error: null,
    records: rec.toArrays(), ...over,
  };
  return { rec, run };
}

describe('reload a saved run (import.ts)', () => {
  it('export → import gives the same rows and eigenvalue rows', () => {
    const { rec, run } = saved(3000);
    const r = importSaved(toJSON([run], 'lr=0.2&widths=20,20'), 'runs.json');
    if (!r.ok) throw new Error(r.error);
    expect(r.runs).toHaveLength(1);
    const back = r.runs[0].records.toArrays();
    expect(back.rows).toBe(3000);
    expect(back.eig.step).toHaveLength(300);
    // Every column, NaN (saved as null) included, and every eigenvalue row.
    expect(back).toEqual(rec.toArrays());
    expect(r.runs[0].records.lastSharpness()).toBe(rec.lastSharpness());
    expect(r.runs[0].id).toBeLessThan(0); // never a live run's id
    expect(r.runs[0].status).toBe('done');
  });

  it('a long run (old rows bucketed) comes back with its range and its newest rows exact', () => {
    const { rec, run } = saved(20_000, 1);
    const orig = rec.toArrays();
    expect(orig.count.some((c) => c > 1)).toBe(true); // the store did bucket old rows
    const r = importSaved(toJSON([run], ''), 'long.json');
    if (!r.ok) throw new Error(r.error);
    const back = r.runs[0].records.toArrays();
    // Stored again, its oldest rows are bucketed once more (by their last values).
    expect(back.rows).toBeLessThanOrEqual(orig.rows);
    // The same step range: the first stored row reaches back to the saved first row's (last) step.
    expect([back.min.step[0], back.step.at(-1)]).toEqual([orig.step[0], orig.step.at(-1)]);
    const tail = 4096;
    expect(back.step.slice(-tail)).toEqual(orig.step.slice(-tail));
    expect(back.loss.slice(-tail)).toEqual(orig.loss.slice(-tail));
    expect(back.eig.values.slice(-400)).toEqual(orig.eig.values.slice(-400));
  });

  it('the settings: the export query for the problem, the run’s own optimiser', () => {
    const { run } = saved(50, 1, { opt: 'polyak', lr: 0.1, beta: 0.5 });
    const r = importSaved(toJSON([run], 'lr=0.3&widths=20,20&compare=gd:0.05&sweep=0.1:0.4:3'), 'm.json');
    if (!r.ok) throw new Error(r.error);
    const s = r.runs[0].settings;
    expect(s.widths).toEqual([20, 20]);
    expect([s.opt, s.lr, s.beta]).toEqual(['polyak', 0.1, 0.5]);
    expect(s.compare).toEqual([]);
    expect(s.sweep).toBeNull();
  });

  it('runs of every optimiser reload, Adam, RMSProp and the central flow included', () => {
    for (const opt of ['adam', 'rmsprop', 'central'] as const) {
      const { run } = saved(20, 1, { opt, lr: 0.002, beta: 0.9 });
      const r = importSaved(toJSON([run], 'lr=0.002'), `${opt}.json`);
      if (!r.ok) throw new Error(`${opt}: ${r.error}`);
      expect(r.runs[0].spec.opt).toBe(opt);
      expect(r.runs[0].settings.opt).toBe(opt);
      expect(r.runs[0].settings.lr).toBe(0.002);
    }
  });

  it('without a query (a bare list of runs), the settings come from the run’s engine config', () => {
    const { run } = saved(50, 1, { config: { widths: [7, 5], degree: 4, lr: 0.2 } as unknown as ExportedRun['config'] });
    const r = importSaved(JSON.stringify([run]), 'bare.json');
    if (!r.ok) throw new Error(r.error);
    expect(r.runs[0].settings.widths).toEqual([7, 5]);
    expect(r.runs[0].settings.degree).toBe(4);
  });

  it('bad files get a message that names the file and what is wrong', () => {
    const bad = (text: string) => {
      const r = importSaved(text, 'x.json');
      if (r.ok) throw new Error('accepted a bad file');
      return r.error;
    };
    expect(bad('{"runs": [')).toMatch(/^x\.json is not a JSON file/);
    expect(bad('{"app": "something else"}')).toMatch(/no "runs" list/);
    expect(bad('{"runs": []}')).toMatch(/holds no runs/);
    const { run } = saved(20);
    expect(bad(JSON.stringify({ runs: [{ ...run, opt: 'sgd' }] }))).toMatch(/run 1: opt must be one of gd\|polyak\|nesterov\|flow\|adam\|rmsprop\|central, not "sgd"/);
    expect(bad(JSON.stringify({ runs: [{ ...run, lr: -1 }] }))).toMatch(/run 1: lr must be a number > 0/);
    const short = { ...run, records: { ...run.records, loss: run.records.loss.slice(0, 10) } };
    expect(bad(JSON.stringify({ runs: [run, short] }))).toMatch(/run 2: records\.loss has 10 entries, records\.rows says 20/);
    const text = { ...run, records: { ...run.records, step: run.records.step.map((v, i) => (i === 3 ? 'x' : v)) } };
    expect(bad(JSON.stringify({ runs: [text] }))).toMatch(/records\.step\[3\] is "x", not a number/);
    const order = { ...run, records: { ...run.records, step: run.records.step.map((v, i) => (i === 5 ? 2 : v)) } };
    expect(bad(JSON.stringify({ runs: [order] }))).toMatch(/records\.step is not increasing at row 5/);
  });
});
