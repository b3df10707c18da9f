// The run manager's side of the data chart (web/src/runs/manager.ts + fits.ts) on the fake
// worker: setFit tells every run's worker, and every worker created later (a restart);
// the worker's `dataset` and `fit` messages land in the run's FitHistory; a restart drops
// the old pictures, so a new problem never shows the previous one's fit.

import { describe, expect, it } from 'vitest';
import type { DatasetView, FromWorker, ToWorker } from '../../web/src/engine/protocol';
import { defaultState } from '../../web/src/state/schema';
import { RunManager } from '../../web/src/runs/manager';
import { fakeFactory } from './fake-worker';

const fits = (msgs: ToWorker[]) => msgs.filter((x): x is Extract<ToWorker, { type: 'fit' }> => x.type === 'fit').map((x) => x.every);

const DATASET = { kind: 'curve', n: 2, dIn: 1, dOut: 1, nx: 3, ny: 1, x0: -1, x1: 1, y0: -1, y1: 1 } as unknown as DatasetView;
const fitMsg = (step: number): FromWorker => ({ type: 'fit', fit: { step, kind: 'curve', cells: 3, dOut: 1, values: new Float32Array([0, step, 0]) }, loss: 1 / (1 + step) });

describe('RunManager and the data chart', () => {
  it('setFit reaches every worker once, and the workers of restarted runs', () => {
    const f = fakeFactory();
    const m = new RunManager({ createWorker: f.create });
    m.load({ ...defaultState(), compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    expect(f.made.map((w) => fits(w.received))).toEqual([[], []]);
    m.setFit(250);
    m.setFit(250); // no change: nothing sent
    expect(f.made.map((w) => fits(w.received))).toEqual([[250], [250]]);
    m.setProblem({ ...defaultState(), degree: 4, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    // The restart's create is followed by the fit request, on whichever worker the run now has.
    for (const r of m.runs) expect(r.fit).toBeNull();
    const last = f.made.slice(-2).map((w) => w.received.map((x) => x.type));
    for (const types of last) expect(types.lastIndexOf('fit')).toBeGreaterThan(types.lastIndexOf('create'));
    m.setFit(0);
    expect(fits(f.made[f.made.length - 1].received).at(-1)).toBe(0);
  });

  it('dataset and fit messages fill the run’s history; a restart clears it', () => {
    const f = fakeFactory();
    const events: string[] = [];
    const m = new RunManager({ createWorker: f.create, onUpdate: (k) => events.push(k) });
    m.load(defaultState());
    f.flushAll();
    m.setFit(250);
    f.flushAll();
    const w = f.made[0];
    w.inject({ type: 'dataset', data: DATASET });
    w.inject(fitMsg(0));
    w.inject(fitMsg(40));
    events.length = 0;
    w.flush();
    const r = m.runs[0];
    expect(r.fit!.dataset).toBe(DATASET);
    expect(r.fit!.snaps.map((s) => s.step)).toEqual([0, 40]);
    expect(r.fit!.latest!.values[1]).toBe(40);
    expect(events).toEqual(['data', 'data', 'data']);
    m.reset();
    expect(m.runs[0].fit).toBeNull();
  });
});
