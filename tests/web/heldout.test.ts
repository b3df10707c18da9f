// Unit tests of the held-out columns (n_test > 0) on the web side: the record store keeps
// test_loss/test_accuracy on the eigenvalue rows (web/src/runs/records.ts), the chart builds
// the dashed test-loss series from them (web/src/charts/chartdata.ts), and both exports carry
// them (web/src/runs/export.ts): CSV columns test_loss,test_accuracy after the eigenvalues,
// JSON records.eig.test_loss / test_accuracy. A run without a held-out set exports neither
// column in CSV. Also the worker message check for setBatch (web/src/engine/parse.ts).

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { parseToWorker } from '../../web/src/engine/parse';
import { RunRecords } from '../../web/src/runs/records';
import { SeriesBuilder } from '../../web/src/charts/chartdata';
import { type ExportedRun, toCSV, toJSON } from '../../web/src/runs/export';

const testLoss = (t: number) => 0.5 / (1 + t);
const testAcc = (t: number) => 0.5 + t / 1000;

/** Rows [start, start+rows), eigenvalues and held-out values every `every` steps (as the engine: NaN elsewhere). */
function chunk(start: number, rows: number, every: number, heldOut: boolean): RecordChunk {
  const f = () => new Float64Array(rows);
  const c: RecordChunk = {
    rows, k: 1, step: f(), time: f(), lr: f(), beta: f(), loss: f(), accuracy: f(), grad_norm: f(), threshold: f(),
    neig: new Int32Array(rows), hvps: new Int32Array(rows), eigs: f(),
  };
  if (heldOut) {
    c.test_loss = f();
    c.test_accuracy = f();
  }
  for (let i = 0; i < rows; i++) {
    const t = start + i;
    const has = t % every === 0;
    c.step[i] = t;
    c.time[i] = 0.2 * t;
    c.lr[i] = 0.2;
    c.beta[i] = 0.9;
    c.loss[i] = 1 / (1 + t);
    c.accuracy[i] = 0.5;
    c.grad_norm[i] = 1;
    c.threshold[i] = 10;
    c.neig[i] = has ? 1 : 0;
    c.hvps[i] = has ? 9 : 0;
    c.eigs[i] = has ? 5 + t / 100 : NaN;
    if (c.test_loss && c.test_accuracy) {
      c.test_loss[i] = has ? testLoss(t) : NaN;
      c.test_accuracy[i] = has ? testAcc(t) : NaN;
    }
  }
  return c;
}

function exported(r: RunRecords, id = 1): ExportedRun {
  return {
    id, label: `run ${id}`, color: '#000', opt: 'gd', lr: 0.2, beta: 0.9,
    config: {} as ExportedRun['config'], phase: 'paused', divergedAt: null, error: null, records: r.toArrays(),
  };
}

function records(steps: number, every: number, heldOut: boolean): RunRecords {
  const r = new RunRecords(1);
  for (let s = 0; s < steps; s += 37) r.append(chunk(s, Math.min(37, steps - s), every, heldOut));
  return r;
}

describe('held-out columns', () => {
  it('are stored on the eigenvalue rows, and NaN for a run without a held-out set', () => {
    const r = records(300, 10, true);
    expect(r.eigRows).toBe(30);
    for (let e = 0; e < r.eigRows; e++) {
      expect(r.test(e, 'test_loss')).toBe(testLoss(10 * e));
      expect(r.test(e, 'test_accuracy')).toBe(testAcc(10 * e));
    }
    const plain = records(300, 10, false);
    expect(Number.isNaN(plain.test(0, 'test_loss'))).toBe(true);
  });

  it('give the chart one test-loss point per eigenvalue row, and none without them', () => {
    const b = new SeriesBuilder(1, 'step', true);
    b.sync(records(300, 10, true));
    expect(b.s.testLoss.map((p) => p.x)).toEqual(Array.from({ length: 30 }, (_, e) => 10 * e));
    expect(b.s.testLoss.map((p) => p.y)).toEqual(Array.from({ length: 30 }, (_, e) => testLoss(10 * e)));
    const plain = new SeriesBuilder(1, 'step', true);
    plain.sync(records(300, 10, false));
    expect(plain.s.testLoss.length).toBe(0);
    expect(plain.s.loss.length).toBe(300);
  });

  it('are exported: CSV columns test_loss,test_accuracy after the eigenvalues, on the eigenvalue lines', () => {
    const csv = toCSV([exported(records(300, 10, true))]).trim().split('\n').filter((l) => !l.startsWith('#'));
    const head = csv[0].split(',');
    expect(head.slice(-3)).toEqual(['eig1', 'test_loss', 'test_accuracy']);
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.length).toBe(300);
    const at = (name: string) => head.indexOf(name);
    for (const row of rows) {
      const t = Number(row[at('step')]);
      if (t % 10 === 0) {
        expect(Number(row[at('test_loss')])).toBe(testLoss(t));
        expect(Number(row[at('test_accuracy')])).toBe(testAcc(t));
      } else {
        expect(row[at('test_loss')]).toBe('');
        expect(row[at('test_accuracy')]).toBe('');
      }
    }
    // Without a held-out set, no such columns.
    const plain = toCSV([exported(records(300, 10, false))]).split('\n').find((l) => l.startsWith('run,'));
    expect(plain).toBeDefined();
    expect(plain!.includes('test_loss')).toBe(false);
  });

  it('are exported in JSON as records.eig.test_loss / test_accuracy, null where none', () => {
    const json = JSON.parse(toJSON([exported(records(300, 10, true)), exported(records(50, 10, false), 2)], ''));
    const eig = json.runs[0].records.eig;
    expect(eig.test_loss).toEqual(Array.from({ length: 30 }, (_, e) => testLoss(10 * e)));
    expect(eig.test_accuracy).toEqual(Array.from({ length: 30 }, (_, e) => testAcc(10 * e)));
    expect(eig.min.test_loss).toEqual(eig.test_loss);
    expect(json.runs[1].records.eig.test_loss).toEqual([null, null, null, null, null]);
  });

  it('survive the compaction of old rows: a bucket keeps its extremes', () => {
    const r = records(200_000, 1, true); // 200,000 eigenvalue rows: far beyond the exact window
    const a = r.toArrays();
    expect(a.eig.resolution.length).toBeGreaterThan(1);
    const lo = a.eig.min.test_loss!;
    const hi = a.eig.max.test_loss!;
    // The first bucket holds step 0 (the largest test loss) as its max.
    expect(hi[0]).toBe(testLoss(0));
    for (let e = 0; e < lo.length; e++) expect(lo[e]).toBeLessThanOrEqual(hi[e]);
    expect(a.eig.test_loss![a.eig.test_loss!.length - 1]).toBe(testLoss(199_999));
  });
});

describe('setBatch message', () => {
  it('is accepted with a number and refused otherwise, naming the field', () => {
    expect(parseToWorker({ type: 'setBatch', id: 3, batch: 20 })).toEqual({ ok: true, msg: { type: 'setBatch', id: 3, batch: 20 } });
    expect(parseToWorker({ type: 'setBatch', id: 4, batch: '20' })).toEqual({ ok: false, id: 4, message: "setBatch: 'batch' must be a number, got '20'" });
  });
});
