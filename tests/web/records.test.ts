// Unit tests of the bounded record store (web/src/runs/tiers.ts, records.ts), the chart
// series built from it (web/src/charts/chartdata.ts) and the export of its resolution
// (web/src/runs/export.ts): a default-length run keeps every row and exports exactly
// what was appended; a 10-million-step run stays under the byte cap (typed-array sizes)
// and still holds the global loss extremes, the sharpness peak and the last rows; the
// chart arrays stay bounded and equal a one-shot build after the store compacted.

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { EIG_STORE, ROW_STORE, RunRecords } from '../../web/src/runs/records';
import { TieredStore } from '../../web/src/runs/tiers';
import { SeriesBuilder } from '../../web/src/charts/chartdata';
import { type ExportedRun, toCSV, toJSON } from '../../web/src/runs/export';

const MB = 1 << 20;

interface Gen {
  k: number;
  every: number;
  loss: (t: number) => number;
  eig: (t: number, j: number) => number;
  lr: (t: number) => number;
}

const gen = (o: Partial<Gen> = {}): Gen => ({
  k: 1,
  every: 10,
  loss: (t) => (1 + 0.5 * Math.sin(t)) / (1 + t),
  eig: (t, j) => (5 + (t % 1000) / 1000) / (j + 1),
  lr: () => 0.2,
  ...o,
});

/** A chunk of rows [start, start+rows); `into` is reused when given (long runs allocate once). */
function chunk(start: number, rows: number, g: Gen, into?: RecordChunk): RecordChunk {
  const k = g.k;
  const c: RecordChunk = into ?? {
    rows, k,
    step: new Float64Array(rows), time: new Float64Array(rows), lr: new Float64Array(rows), beta: new Float64Array(rows),
    loss: new Float64Array(rows), accuracy: new Float64Array(rows), grad_norm: new Float64Array(rows),
    threshold: new Float64Array(rows), neig: new Int32Array(rows), hvps: new Int32Array(rows),
    eigs: new Float64Array(rows * k),
  };
  c.rows = rows;
  for (let i = 0; i < rows; i++) {
    const t = start + i;
    const lr = g.lr(t);
    c.step[i] = t;
    c.time[i] = t * 0.2;
    c.lr[i] = lr;
    c.beta[i] = 0.9;
    c.loss[i] = g.loss(t);
    c.accuracy[i] = NaN;
    c.grad_norm[i] = 1 + (t % 7);
    c.threshold[i] = 2 / lr;
    const has = t % g.every === 0;
    c.neig[i] = has ? k : 0;
    c.hvps[i] = has ? 12 : 0;
    for (let j = 0; j < k; j++) c.eigs[i * k + j] = has ? g.eig(t, j) : NaN;
  }
  return c;
}

function run(total: number, g: Gen, chunkRows = 10_000, each?: (r: RunRecords) => void): RunRecords {
  const r = new RunRecords(g.k);
  const buf = chunk(0, chunkRows, g);
  for (let s = 0; s < total; s += chunkRows) {
    r.append(chunk(s, Math.min(chunkRows, total - s), g, buf));
    each?.(r);
  }
  return r;
}

function exported(r: RunRecords): ExportedRun {
  return {
    id: 1, label: 'GD η=0.2', color: '#000', opt: 'gd', lr: 0.2, beta: 0.9,
    config: {} as ExportedRun['config'], phase: 'paused', divergedAt: null, error: null, records: r.toArrays(),
  };
}

/** Bytes of a full store with C columns, E of them with extents. */
const fullBytes = (s: { window: number; tierCap: number; tiers: number }, C: number, E: number) =>
  8 * (s.window * (C + 1) + s.tiers * s.tierCap * (3 * E + (C - E) + 1));

describe('a run of default length (3,000 steps, eigenvalues every 10)', () => {
  const g = gen({ k: 2 });
  const chunks: RecordChunk[] = [];
  const r = new RunRecords(2);
  for (let s = 0; s < 3000; s += 37) {
    const c = chunk(s, Math.min(37, 3000 - s), g);
    chunks.push(c);
    r.append(c);
  }

  it('keeps every row and every eigenvalue row, exactly', () => {
    expect(r.rows).toBe(3000);
    expect(r.appended).toBe(3000);
    expect(r.eigRows).toBe(300);
    expect(r.resolution()).toEqual([{ from_step: 0, to_step: 2999, every: 1, rows: 3000 }]);
    const a = r.toArrays();
    expect(a.count.every((n) => n === 1)).toBe(true);
    expect(a.eig.resolution).toEqual([{ from_step: 0, to_step: 2990, every: 1, rows: 300 }]);
  });

  it('exports every row as appended: the CSV lines and the JSON arrays equal the chunks', () => {
    const csv = toCSV([exported(r)]).trim().split('\n').filter((l) => !l.startsWith('#'));
    const head = csv[0].split(',');
    const lines = csv.slice(1).map((l) => l.split(','));
    expect(lines.length).toBe(3000);
    const json = JSON.parse(toJSON([exported(r)], '')).runs[0].records;
    let row = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.rows; i++, row++) {
        const cell = (name: string) => lines[row][head.indexOf(name)];
        expect(cell('agg')).toBe('exact');
        for (const col of ['step', 'time', 'lr', 'beta', 'loss', 'grad_norm', 'threshold', 'hvps'] as const) {
          expect(Number(cell(col))).toBe(c[col][i]); // String(x) round-trips a double exactly
          expect(json[col][row]).toBe(c[col][i]);
        }
        expect(cell('accuracy')).toBe('');
        for (let j = 0; j < 2; j++) {
          const v = c.eigs[i * 2 + j];
          expect(cell(`eig${j + 1}`)).toBe(Number.isNaN(v) ? '' : String(v));
        }
      }
    }
    expect(json.eig.step.length).toBe(300);
    expect(json.eig.values[7]).toEqual([g.eig(70, 0), g.eig(70, 1)]);
  });

  it('draws one point per row, as before', () => {
    const b = new SeriesBuilder(2, 'step', true);
    b.sync(r);
    expect(b.s.loss.length).toBe(3000);
    expect(b.s.loss[1234]).toEqual({ x: 1234, y: g.loss(1234) });
    expect(b.s.eig[0].length).toBe(300);
    expect(b.s.eig[1][10]).toEqual({ x: 100, y: g.eig(100, 1) });
  });
});

describe('a 10-million-step run', () => {
  const spike = 1_234_567; // an old loss spike, a sharpness peak, and the lowest loss
  const low = 2_345_678;
  const g = gen({
    every: 10,
    loss: (t) => (t === spike ? 1e6 : t === low ? 1e-9 : (1 + 0.5 * Math.sin(t)) / (1 + t / 1e5)),
    eig: (t) => (t === spike - 7 ? 99 : 5 + (t % 1000) / 1000),
  });
  const N = 10_000_000;
  const t0 = performance.now();
  const r = run(N, g, 50_000);
  const ms = performance.now() - t0;

  it('stays under the byte cap (typed-array sizes) and is cheap to feed', () => {
    const cap = fullBytes(ROW_STORE, 10, 5) + fullBytes(EIG_STORE, 6, 5);
    expect(r.bytes()).toBeLessThanOrEqual(cap);
    expect(cap).toBeLessThan(4 * MB);
    expect(r.appended).toBe(N);
    expect(r.rows).toBeLessThanOrEqual(ROW_STORE.window + ROW_STORE.tiers * ROW_STORE.tierCap);
    console.log(`10M rows appended in ${ms.toFixed(0)} ms; ${r.rows} stored rows, ${r.eigRows} eigenvalue rows, ${(r.bytes() / MB).toFixed(2)} MB`);
  });

  it('keeps the global min and max loss, the sharpness peak and the last rows', () => {
    const a = r.toArrays();
    expect(Math.max(...a.max.loss)).toBe(1e6);
    expect(Math.min(...a.min.loss)).toBe(1e-9);
    expect(a.step.at(-1)).toBe(N - 1);
    expect(a.loss.at(-1)).toBe(g.loss(N - 1));
    expect(a.count.at(-1)).toBe(1);
    expect(a.count.reduce((x, y) => x + y, 0)).toBe(N);
    expect(Math.max(...a.eig.max.values.map((v) => v[0]))).toBe(99);
    expect(a.eig.step.at(-1)).toBe(N - 10);
    expect(a.eig.values.at(-1)![0]).toBe(g.eig(N - 10, 0));
    expect(a.eig.count.reduce((x, y) => x + y, 0)).toBe(N / 10);
    expect(r.lastSharpness()).toBe(g.eig(N - 10, 0));
    expect(r.last('step')).toBe(N - 1);
  });

  it('the newest rows are exact, and the resolution halves with age, tier by tier', () => {
    const res = r.resolution();
    expect(res.at(-1)!.every).toBe(1);
    expect(res.at(-1)!.rows).toBeGreaterThanOrEqual(ROW_STORE.window / 2);
    expect(res.at(-1)!.to_step).toBe(N - 1);
    expect(res[0].from_step).toBe(0);
    for (let i = 1; i < res.length; i++) {
      expect(res[i].from_step).toBe(res[i - 1].to_step + 1); // contiguous
      expect(res[i - 1].every).toBeGreaterThan(res[i].every); // coarser with age
    }
    expect(res.slice(-7).map((x) => x.every)).toEqual([64, 32, 16, 8, 4, 2, 1]);
    expect(res[0].every).toBeGreaterThanOrEqual(2048);
    const st = r.toArrays().step;
    expect(st.every((s, i) => i === 0 || s > st[i - 1])).toBe(true);
  });

  it('exports the resolution: CSV comment lines and min/max/last lines, JSON metadata', () => {
    const ex = exported(r);
    const csv = toCSV([ex]).split('\n');
    expect(csv[1]).toMatch(/^# run 1 rows: steps 0-\d+: \d+ rows, each min\/max\/last of \d+;/);
    expect(csv[1]).toMatch(/steps \d+-9999999: \d+ rows, exact$/);
    expect(csv[2]).toMatch(/^# run 1 eigenvalue rows: steps 0-/);
    const lines = csv.filter((l) => l && !l.startsWith('#')).slice(1);
    const agg = lines.map((l) => l.split(',')[2]);
    expect(agg.slice(0, 3)).toEqual(['min', 'max', 'last']);
    expect(agg.at(-1)).toBe('exact');
    expect(lines.some((l) => l.split(',')[7] === '1000000')).toBe(true); // the spike's max line
    expect(lines.length).toBeLessThan(200_000);
    const json = JSON.parse(toJSON([ex], '')).runs[0].records;
    expect(json.resolution).toEqual(r.resolution());
    expect(json.aggregates).toMatch(/min\/max/);
    expect(json.count.length).toBe(json.rows);
    const e = json.eig.row.length - 1;
    expect(json.step[json.eig.row[e]]).toBe(json.eig.step[e]); // the newest eigenvalue row sits on its exact row
    const old = json.eig.row[0]; // the oldest one in the bucket whose step range holds it
    expect(json.min.step[old]).toBeLessThanOrEqual(json.eig.step[0]);
    expect(json.max.step[old]).toBeGreaterThanOrEqual(json.eig.step[0]);
  });

  it('chart series stay bounded, keep the extremes, and match a one-shot build', () => {
    const inc = new SeriesBuilder(1, 'step', true);
    const r2 = run(2_000_000, g, 20_000, (x) => inc.sync(x));
    const one = new SeriesBuilder(1, 'step', true);
    one.sync(r2);
    expect(inc.s.loss).toEqual(one.s.loss);
    expect(inc.s.eig).toEqual(one.s.eig);
    expect(inc.s.threshold.pts).toEqual(one.s.threshold.pts);
    const b = new SeriesBuilder(1, 'step', true);
    b.sync(r);
    expect(b.s.loss.length).toBeLessThanOrEqual(2 * r.rows);
    expect(b.s.eig[0].length).toBeLessThanOrEqual(2 * r.eigRows);
    expect(Math.max(...b.s.loss.map((p) => p.y))).toBe(1e6);
    expect(b.s.maxEig).toBe(99);
    expect(b.s.threshold.pts.length).toBe(2); // η never changed: one flat segment
    expect(b.s.markers).toEqual([]);
    expect(b.s.loss.at(-1)).toEqual({ x: N - 1, y: g.loss(N - 1) });
  });
});

describe('bounds for any k and η changes in old buckets', () => {
  it('k = 10 with eigenvalues every step stays under its cap', () => {
    const r = run(1_000_000, gen({ k: 10, every: 1 }), 20_000);
    expect(r.eigRows).toBeLessThanOrEqual(EIG_STORE.window + EIG_STORE.tiers * EIG_STORE.tierCap);
    expect(r.bytes()).toBeLessThanOrEqual(fullBytes(ROW_STORE, 10, 5) + fullBytes(EIG_STORE, 15, 14));
    expect(r.bytes()).toBeLessThan(6 * MB);
  });

  it('an η change in an aged bucket keeps its marker and threshold jump (within one bucket)', () => {
    const g = gen({ lr: (t) => (t < 30_000 ? 0.2 : 0.1) });
    const r = run(300_000, g);
    const b = new SeriesBuilder(1, 'step', true);
    b.sync(r);
    expect(b.s.markers.length).toBe(1);
    const m = b.s.markers[0];
    expect(m.from).toBe(0.2);
    expect(m.to).toBe(0.1);
    const every = r.resolution().find((x) => x.from_step <= 30_000 && x.to_step >= 30_000)!.every;
    expect(every).toBeGreaterThan(1);
    expect(m.step).toBeGreaterThan(30_000 - every);
    expect(m.step).toBeLessThanOrEqual(30_000);
    expect(b.s.threshold.pts.map((p) => p.y)).toEqual([10, 10, 20, 20]);
  });

  it('the last tier doubles its width in place and folds new pairs into a partial bucket', () => {
    const s = new TieredStore(['step', 'v'], [true, true], 8, 8, 2);
    for (let t = 0; t < 1000; t++) s.push([t, t === 3 ? -5 : t]);
    expect(s.rows).toBeLessThanOrEqual(8 + 2 * 8);
    const res = s.resolution();
    expect(res.map((x) => x.every).slice(-2)).toEqual([2, 1]);
    expect(res[0].every).toBeGreaterThanOrEqual(64);
    let sum = 0;
    let min = Infinity;
    for (const t of s.tiers) for (let i = 0; i < t.n; i++) {
      sum += t.count[i];
      min = Math.min(min, t.min[1][i]);
    }
    expect(sum).toBe(1000);
    expect(min).toBe(-5);
  });
});
