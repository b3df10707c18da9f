// Unit tests of the chart data plumbing (web/src/runs/records.ts, web/src/charts/chartdata.ts):
// record storage of short runs, the point arrays each chart draws (independent of
// Chart.js and of its decimation), the stepped threshold lines, η·sharpness, the
// η-change markers, incremental vs one-shot building, and the y-axis ceiling.

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { RunRecords } from '../../web/src/runs/records';
import { SeriesBuilder, StepLine, axisRange, niceCeil } from '../../web/src/charts/chartdata';
import { logTick } from '../../web/src/charts/board';

/** A chunk of `rows` GD steps from `start`, η given per row, eigenvalues every `every`. */
function chunk(start: number, rows: number, opts: { k?: number; every?: number; lr?: (t: number) => number; loss?: (t: number) => number; eig?: (t: number, j: number) => number; neig?: number } = {}): RecordChunk {
  const k = opts.k ?? 1;
  const every = opts.every ?? 10;
  const lrOf = opts.lr ?? (() => 0.2);
  const lossOf = opts.loss ?? ((t) => 1 / (1 + t));
  const eigOf = opts.eig ?? ((t, j) => (5 + t / 100) / (j + 1));
  const c: RecordChunk = {
    rows, k,
    step: new Float64Array(rows), time: new Float64Array(rows), lr: new Float64Array(rows), beta: new Float64Array(rows),
    loss: new Float64Array(rows), accuracy: new Float64Array(rows).fill(NaN), grad_norm: new Float64Array(rows),
    threshold: new Float64Array(rows), neig: new Int32Array(rows), hvps: new Int32Array(rows),
    eigs: new Float64Array(rows * k).fill(NaN),
  };
  let time = 0;
  for (let t = 0; t < start; t++) time += lrOf(t);
  for (let i = 0; i < rows; i++) {
    const t = start + i;
    const lr = lrOf(t);
    c.step[i] = t;
    c.time[i] = time;
    c.lr[i] = lr;
    c.beta[i] = 0.9;
    c.loss[i] = lossOf(t);
    c.threshold[i] = 2 / lr;
    if (t % every === 0) {
      const n = opts.neig ?? k;
      c.neig[i] = n;
      for (let j = 0; j < n; j++) c.eigs[i * k + j] = eigOf(t, j);
    }
    time += lr;
  }
  return c;
}

describe('RunRecords', () => {
  it('appends chunks: rows, eigen rows only where neig > 0, NaN beyond neig', () => {
    const r = new RunRecords(3);
    r.append(chunk(0, 25, { k: 3, every: 10, neig: 2 }));
    r.append(chunk(25, 30, { k: 3, every: 10, neig: 2 }));
    expect(r.rows).toBe(55);
    expect(r.eigRows).toBe(6); // steps 0,10,20,30,40,50
    expect(r.toArrays().eig.step).toEqual([0, 10, 20, 30, 40, 50]);
    expect(r.toArrays().eig.row).toEqual([0, 10, 20, 30, 40, 50]);
    expect(r.eig(3, 0)).toBeCloseTo(5.3, 12);
    expect(r.eig(3, 1)).toBeCloseTo(5.3 / 2, 12);
    expect(r.eig(3, 2)).toBeNaN();
    expect(r.lastSharpness()).toBeCloseTo(5.5, 12);
    const a = r.toArrays();
    expect(a.rows).toBe(55);
    expect(a.step[54]).toBe(54);
    expect(a.eig.step).toEqual([0, 10, 20, 30, 40, 50]);
    expect(a.eig.values[5][0]).toBeCloseTo(5.5, 12);
    r.clear(2);
    expect(r.rows).toBe(0);
    expect(r.eigRows).toBe(0);
    expect(r.k).toBe(2);
  });
});

describe('StepLine', () => {
  it('keeps only corners: start, each jump (vertical), and a tail following x', () => {
    const s = new StepLine();
    for (let x = 0; x <= 5; x++) s.add(x, 10);
    expect(s.pts).toEqual([{ x: 0, y: 10 }, { x: 5, y: 10 }]);
    for (let x = 6; x <= 9; x++) s.add(x, 20);
    expect(s.pts).toEqual([{ x: 0, y: 10 }, { x: 6, y: 10 }, { x: 6, y: 20 }, { x: 9, y: 20 }]);
  });

  it('has no points for NaN (gradient flow has no threshold)', () => {
    const s = new StepLine();
    for (let x = 0; x < 5; x++) s.add(x, NaN);
    expect(s.pts).toEqual([]);
  });
});

describe('SeriesBuilder', () => {
  const drop = (t: number) => (t < 100 ? 0.2 : 0.1);

  function records(): RunRecords {
    const r = new RunRecords(2);
    r.append(chunk(0, 60, { k: 2, lr: drop }));
    r.append(chunk(60, 90, { k: 2, lr: drop }));
    return r;
  }

  it('builds loss, top-k, threshold, η·sharpness and the η-change marker (step axis)', () => {
    const r = records();
    const b = new SeriesBuilder(2, 'step', true);
    expect(b.sync(r)).toBe(true);
    const s = b.s;
    expect(s.loss.length).toBe(150);
    expect(s.loss[10]).toEqual({ x: 10, y: 1 / 11 });
    expect(s.eig[0].map((p) => p.x)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140]);
    expect(s.eig[1][3].y).toBeCloseTo(5.3 / 2, 12);
    // 2/η: 10 up to step 100, then 20
    expect(s.threshold.pts).toEqual([{ x: 0, y: 10 }, { x: 100, y: 10 }, { x: 100, y: 20 }, { x: 149, y: 20 }]);
    // η·threshold is 2 throughout, so the scaled threshold is one flat segment
    expect(s.scaledThr.pts.map((p) => p.y)).toEqual([2, 2]);
    // η·λ uses the η of the same row
    expect(s.scaledEig[0][5].y).toBeCloseTo(0.2 * 5.5, 12);
    expect(s.scaledEig[0][12].y).toBeCloseTo(0.1 * 6.2, 12);
    expect(s.markers).toEqual([{ x: 100, step: 100, from: 0.2, to: 0.1 }]);
    expect(s.maxEig).toBeCloseTo(6.4, 12);
    expect(b.sync(r)).toBe(false); // nothing new
  });

  it('incremental syncs give the same series as one sync at the end', () => {
    const all = records();
    const one = new SeriesBuilder(2, 'time', true);
    one.sync(all);
    const inc = new SeriesBuilder(2, 'time', true);
    const r = new RunRecords(2);
    for (let start = 0; start < 150; start += 7) {
      r.append(chunk(start, Math.min(7, 150 - start), { k: 2, lr: drop }));
      inc.sync(r);
    }
    expect(inc.s.loss).toEqual(one.s.loss);
    expect(inc.s.eig).toEqual(one.s.eig);
    expect(inc.s.threshold.pts).toEqual(one.s.threshold.pts);
    expect(inc.s.scaledEig).toEqual(one.s.scaledEig);
    expect(inc.s.markers).toEqual(one.s.markers);
  });

  it('time axis: x = Σ η', () => {
    const b = new SeriesBuilder(2, 'time', true);
    b.sync(records());
    expect(b.s.loss[100].x).toBeCloseTo(100 * 0.2, 9);
    expect(b.s.loss[120].x).toBeCloseTo(20 + 20 * 0.1, 9);
    expect(b.s.markers[0].x).toBeCloseTo(20, 9);
  });

  it('skips non-finite and non-positive losses (log axis) and non-finite eigenvalues', () => {
    const r = new RunRecords(1);
    r.append(chunk(0, 30, { loss: (t) => (t === 3 ? NaN : t === 4 ? Infinity : t === 5 ? 0 : 1), eig: (t) => (t === 10 ? NaN : 3) }));
    const b = new SeriesBuilder(1, 'step', true);
    b.sync(r);
    expect(b.s.loss.map((p) => p.x)).not.toContain(3);
    expect(b.s.loss.map((p) => p.x)).not.toContain(4);
    expect(b.s.loss.map((p) => p.x)).not.toContain(5);
    expect(b.s.loss.length).toBe(27);
    expect(b.s.eig[0].map((p) => p.x)).toEqual([0, 20]);
  });

  it('gradient flow (scaled=false): no η·sharpness series, no threshold, no η markers', () => {
    const r = new RunRecords(1);
    // flow records its adaptive RK4 step in the η column: it changes every row
    const c = chunk(0, 20, { lr: (t) => 0.1 / (1 + t) });
    c.threshold.fill(NaN);
    r.append(c);
    const b = new SeriesBuilder(1, 'step', false);
    b.sync(r);
    expect(b.s.scaledEig[0]).toEqual([]);
    expect(b.s.scaledThr.pts).toEqual([]);
    expect(b.s.threshold.pts).toEqual([]);
    expect(b.s.markers).toEqual([]);
    expect(b.s.eig[0].length).toBe(2);
  });

  it('never calls the (Chart.js-patched) array mutators when appending', () => {
    const r = new RunRecords(2);
    r.append(chunk(0, 20, { k: 2, lr: drop }));
    const b = new SeriesBuilder(2, 'step', true);
    b.sync(r);
    // Chart.js replaces push/splice/… on arrays it draws with notifying versions (per-call
    // re-sync, which was slow); make every mutator throw to prove we do not use them.
    const arrays = [b.s.loss, ...b.s.eig, ...b.s.scaledEig, b.s.threshold.pts, b.s.scaledThr.pts];
    for (const a of arrays) {
      for (const m of ['push', 'pop', 'shift', 'splice', 'unshift']) {
        Object.defineProperty(a, m, { value: () => { throw new Error(`${m} called`); } });
      }
    }
    r.append(chunk(20, 130, { k: 2, lr: drop }));
    expect(() => b.sync(r)).not.toThrow();
    expect(b.s.loss.length).toBe(150);
    expect(b.s.eig[0].length).toBe(15);
    expect(b.s.threshold.pts.length).toBe(4);
  });

  it('rebuilds from scratch after the records were cleared', () => {
    const r = records();
    const b = new SeriesBuilder(2, 'step', true);
    b.sync(r);
    r.clear(2);
    r.append(chunk(0, 5, { k: 2 }));
    b.sync(r);
    expect(b.s.loss.length).toBe(5);
    expect(b.s.markers).toEqual([]);
    expect(b.s.threshold.pts).toEqual([{ x: 0, y: 10 }, { x: 4, y: 10 }]);
  });
});

describe('log-axis labels', () => {
  it('labels powers of ten only', () => {
    expect([1, 0.1, 0.01, 0.001, 10, 1e-4, 1e-7, 1e5].map((v) => logTick(v))).toEqual(['1', '0.1', '0.01', '0.001', '10', '1e-4', '1e-7', '1e5']);
    expect([0.5, 0.02, 3, 0, -1, NaN].map((v) => logTick(v))).toEqual(['', '', '', '', '', '']);
    expect(logTick(0.5, [0.5, 1, 2])).toBe(''); // 1 is on the axis: label only it
  });

  it('labels every tick when less than a decade is shown', () => {
    const ticks = [0.15, 0.2, 0.3];
    expect(ticks.map((v) => logTick(v, ticks))).toEqual(['0.15', '0.2', '0.3']);
  });
});

describe('axis ceiling', () => {
  it('suggests room above the threshold, but cuts spikes at 3× it', () => {
    expect(axisRange(10.2, 10)).toEqual({ suggestedMax: 11.5 });
    expect(axisRange(12, 10)).toEqual({ suggestedMax: 12.24 });
    expect(axisRange(1e9, 10)).toEqual({ max: 35 }); // 31.5 → 35
    expect(axisRange(4, 10)).toEqual({ suggestedMax: 11.5 });
    expect(axisRange(42, NaN)).toEqual({ suggestedMax: 44.1 }); // flow only: follow the data
    expect(axisRange(NaN, 10)).toEqual({ suggestedMax: 11.5 });
    expect(axisRange(-Infinity, -Infinity)).toEqual({});
  });

  it('niceCeil rounds up to half a decade step', () => {
    expect(niceCeil(11.5)).toBe(15);
    expect(niceCeil(0.42)).toBe(0.45);
    expect(niceCeil(150)).toBe(150);
    expect(niceCeil(151)).toBe(200);
  });
});
