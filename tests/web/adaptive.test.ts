// Unit tests of the page side of the adaptive methods and the valley view: the record
// store keeps the raw sharpness of adam/rmsprop rows beside the preconditioned one and
// the latest u_proj values; an Adam run's β is its β₁ in the engine config and the URL
// state; the valley chart's parabola and sign-flip count.

import { describe, expect, it } from 'vitest';
import type { RecordChunk } from '../../web/src/engine/protocol';
import { RunRecords, U_PROJ_KEEP } from '../../web/src/runs/records';
import { defaultState, engineConfig, runSpecs, withRuns } from '../../web/src/state/schema';
import { flipFraction, parabola, sliceAt, slopeAt0 } from '../../web/src/charts/valley';
import { thresholdName } from '../../web/src/runs/run';

/** rows steps from `start`, eigenvalues every 10 steps; raw/u_proj when asked. */
function chunk(start: number, rows: number, withRaw: boolean, withProj: boolean): RecordChunk {
  const f = () => new Float64Array(rows);
  const c: RecordChunk = {
    rows, k: 1, step: f(), time: f(), lr: f(), beta: f(), loss: f(), accuracy: f(), grad_norm: f(), threshold: f(),
    neig: new Int32Array(rows), hvps: new Int32Array(rows), eigs: new Float64Array(rows).fill(NaN),
  };
  if (withRaw) c.raw = new Float64Array(rows).fill(NaN);
  if (withProj) c.u_proj = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const t = start + i;
    c.step[i] = t;
    c.lr[i] = 0.002;
    c.loss[i] = 1 / (1 + t);
    c.threshold[i] = 38 / 0.002;
    if (t % 10 === 0) {
      c.neig[i] = 1;
      c.eigs[i] = 19000 + t;
      if (c.raw) c.raw[i] = 4 + t / 1000;
    }
    if (c.u_proj) c.u_proj[i] = (t % 2 ? 1 : -1) * 1e-3;
  }
  return c;
}

describe('records: raw sharpness and u_proj', () => {
  it('keeps the raw sharpness of each eigenvalue row beside the preconditioned one', () => {
    const r = new RunRecords(1);
    r.append(chunk(0, 100, true, false));
    expect(r.rawStore).not.toBeNull();
    expect(r.rawStore!.rows).toBe(r.eigRows);
    expect(r.lastSharpness()).toBe(19090);
    expect(r.lastRawSharpness()).toBeCloseTo(4.09, 12);
    const a = r.toArrays();
    expect(a.eig.raw).toHaveLength(a.eig.values.length);
    expect(a.eig.raw![3][0]).toBeCloseTo(4.03, 12);
    r.clear();
    expect(r.rawStore).toBeNull();
  });
  it('has no raw store for runs without raw values', () => {
    const r = new RunRecords(1);
    r.append(chunk(0, 50, false, false));
    expect(r.rawStore).toBeNull();
    expect(r.toArrays().eig.raw).toBeUndefined();
    expect(Number.isNaN(r.lastRawSharpness())).toBe(true);
  });
  it('keeps the latest u_proj values, at most U_PROJ_KEEP', () => {
    const r = new RunRecords(1);
    for (let s = 0; s < 1000; s += 100) r.append(chunk(s, 100, false, true));
    expect(r.uProj.step).toHaveLength(U_PROJ_KEEP);
    expect(r.uProj.step[U_PROJ_KEEP - 1]).toBe(999);
    expect(flipFraction(r.uProj.value)).toBe(1);
  });
});

describe('state: Adam’s β is β₁', () => {
  it('maps the run’s β to beta1 for adam and to beta otherwise', () => {
    const s = { ...defaultState(), opt: 'adam' as const, beta1: 0.8, beta: 0.5 };
    const [run] = runSpecs(s);
    expect(run.beta).toBe(0.8);
    const cfg = engineConfig(s, { ...run, beta: 0.7 });
    expect(cfg.beta1).toBe(0.7);
    expect(cfg.beta).toBe(0.5);
    const back = withRuns(s, [{ opt: 'adam', lr: 0.002, beta: 0.6 }]);
    expect(back.beta1).toBe(0.6);
    expect(back.beta).toBe(0.5);
    expect(engineConfig({ ...s, charts: ['valley'] }, run).valley).toBe(true);
    expect(thresholdName('adam')).toBe('(2+2β₁)/((1−β₁)η)');
    expect(thresholdName('rmsprop')).toBe('2/η');
  });
});

describe('valley chart helpers', () => {
  it('draws the parabola of the measured curvature through the iterate', () => {
    const p = parabola([-2, 0, 2], 0.5, 3);
    expect(p).toEqual([{ x: -2, y: 6.5 }, { x: 0, y: 0.5 }, { x: 2, y: 6.5 }]);
    expect(sliceAt([-1, 0, 1], [3, 1, 5], 0.5, 1, 2)).toBe(3);
    expect(slopeAt0([-1, 0, 1], [3, 1, 5])).toBe(1);
    expect(parabola([1], 0, 2, 1)).toEqual([{ x: 1, y: 2 }]);
    expect(sliceAt([-1, 0, 1], [3, 1, 5], 2, 1, 2)).toBe(5);
  });
  it('counts sign flips between consecutive steps', () => {
    expect(flipFraction([1, -1, 1, -1])).toBe(1);
    expect(flipFraction([1, 2, 3, -1])).toBeCloseTo(1 / 3, 12);
    expect(Number.isNaN(flipFraction([1]))).toBe(true);
  });
});
