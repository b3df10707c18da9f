// Unit tests of a GD run's central flow on the page (Cohen, Damian et al., ICLR 2025): the
// URL forms central=1 and gd:η:central, the manager's second worker (created with
// opt central, following the run's transport and η, cut off with the toggle), the flow's
// records with pred_loss and sigma2, and the exports that carry them.

import { describe, expect, it } from 'vitest';
import type { ToWorker } from '../../web/src/engine/protocol';
import { type AppState, SCHEMA, defaultState, parseField, runSpecs, withRuns } from '../../web/src/state/schema';
import { parseQuery, toQuery } from '../../web/src/state/url';
import { RunManager } from '../../web/src/runs/manager';
import { RunRecords } from '../../web/src/runs/records';
import { toCSV } from '../../web/src/runs/export';
import { fakeFactory } from './fake-worker';

type Msg<T extends ToWorker['type']> = Extract<ToWorker, { type: T }>;
const sent = <T extends ToWorker['type']>(msgs: ToWorker[], type: T) => msgs.filter((x): x is Msg<T> => x.type === type);

describe('central flow: URL', () => {
  it('compare accepts gd:η:central (and gd:η:β:central), refuses it for other optimisers, and writes it back', () => {
    const ok = parseField(SCHEMA.compare, 'gd:0.1:central,gd:0.2:0.5:central,flow');
    expect(ok).toEqual({
      ok: true,
      value: [{ opt: 'gd', lr: 0.1, beta: 0.9, central: true }, { opt: 'gd', lr: 0.2, beta: 0.5, central: true }, { opt: 'flow', lr: 0.3, beta: 0.9 }],
    });
    const bad = parseField(SCHEMA.compare, 'polyak:0.1:central');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.why).toMatch(/only gd runs have a central flow/);
    const s: AppState = { ...defaultState(), central: true, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9, central: true }] };
    const q = toQuery(s);
    expect(q).toContain('central=1');
    expect(q).toContain('compare=gd:0.1:central');
    expect(parseQuery(q).state).toEqual(s);
  });

  it('central=1 belongs to the first run when it is GD', () => {
    const s: AppState = { ...defaultState(), central: true };
    expect(runSpecs(s)[0]).toEqual({ opt: 'gd', lr: 0.3, beta: 0.9, central: true });
    expect(runSpecs({ ...s, opt: 'polyak' })[0].central).toBeUndefined();
    expect(withRuns(defaultState(), [{ opt: 'gd', lr: 0.2, beta: 0.9, central: true }]).central).toBe(true);
    expect(withRuns(s, [{ opt: 'flow', lr: 0.2, beta: 0.9 }]).central).toBe(false);
  });
});

describe('central flow: manager', () => {
  it('a second worker integrates the flow (opt central) at the run’s η, plays and pauses with it, and goes with the toggle', () => {
    const f = fakeFactory();
    const m = new RunManager({ createWorker: f.create, now: () => 0 });
    m.load({ ...defaultState(), speed: 100, central: true });
    expect(f.made.length).toBe(2);
    const create = sent(f.made[1].received, 'create')[0];
    expect(create.config.opt).toBe('central');
    expect(create.config.lr).toBe(0.3);
    expect(create.config.central_substeps).toBe(2); // the page's default
    f.flushAll();
    m.play();
    f.run(20);
    const r = m.runs[0];
    // The flow may go as far as the run has gone: its play comes with the run's chunk.
    expect(sent(f.made[1].received, 'play').at(-1)).toMatchObject({ speed: 0, until: 20 });
    f.made[1].produce(100);
    f.flushAll();
    expect(r.flow?.rows).toBe(20);
    m.setLr(r.id, 0.15);
    expect(sent(f.made[1].received, 'setLr').map((x) => x.lr)).toEqual([0.15]);
    m.pause();
    expect(sent(f.made[1].received, 'pause').length).toBe(1);
    const exported = m.exportRuns();
    expect(exported.map((e) => e.opt)).toEqual(['gd', 'central']);
    expect(exported[1].label).toMatch(/central flow/);
    m.setCentral(r.id, false);
    expect(f.made[1].terminated).toBe(true);
    expect(r.flow).toBeNull();
    expect(m.specs()[0].central).toBeUndefined();
    expect(m.exportRuns().length).toBe(1);
  });
});

describe('central flow: catching up', () => {
  const lastPlay = (w: { received: ToWorker[] }) => sent(w.received, 'play').at(-1);

  it('switched on mid-run, the flow plays flat out to the run’s step, never past it, then follows each chunk', () => {
    const f = fakeFactory({ chunkRows: 50 });
    const m = new RunManager({ createWorker: f.create, now: () => 0 });
    m.load({ ...defaultState(), speed: 300 });
    f.flushAll();
    m.play();
    f.run(500);
    const r = m.runs[0];
    expect(r.info?.step).toBe(500);
    m.setCentral(r.id, true);
    f.flushAll();
    const flow = f.made[1];
    expect(sent(flow.received, 'create')[0].config.opt).toBe('central');
    // Flat out (speed 0, while the run plays at 300 steps/s) to the run's step.
    expect(lastPlay(flow)).toMatchObject({ speed: 0, until: 500 });
    expect(lastPlay(f.made[0])).toMatchObject({ speed: 300 });
    // However much it could compute, it stops at the run's step: the dashed curve reaches it.
    flow.produce(10_000);
    f.flushAll();
    expect(r.flow?.rows).toBe(500);
    expect(r.flow?.last('step')).toBe(499);
    expect(r.records.last('step')).toBe(499);
    // Level with the run: each of the run's chunks moves the flow's stop to the run's new step.
    f.made[0].produce(50);
    f.flushAll();
    expect(lastPlay(flow)).toMatchObject({ speed: 0, until: 550 });
    flow.produce(10_000);
    f.flushAll();
    expect(r.flow?.rows).toBe(550);
    // A run that ends (its length) is still caught up with; the reader's Pause stops the flow.
    m.pause();
    expect(sent(flow.received, 'pause').length).toBe(1);
    m.play();
    expect(lastPlay(flow)).toMatchObject({ speed: 0, until: 550 });
  });

  it('a live η change reaches a lagging flow at the step it was made at', () => {
    const f = fakeFactory({ chunkRows: 50 });
    const m = new RunManager({ createWorker: f.create, now: () => 0 });
    m.load({ ...defaultState(), speed: 300 });
    f.flushAll();
    m.play();
    f.run(200);
    const r = m.runs[0];
    m.setLr(r.id, 0.15); // at step 200
    f.flushAll();
    f.run(100); // the run goes on at η 0.15 to step 300
    m.setCentral(r.id, true);
    f.flushAll();
    const flow = f.made[1];
    // The flow starts at the run's initial η and stops at step 200 for the change.
    expect(sent(flow.received, 'create')[0].config.lr).toBe(0.3);
    expect(lastPlay(flow)).toMatchObject({ until: 200 });
    expect(sent(flow.received, 'setLr').length).toBe(0);
    flow.produce(10_000);
    f.flushAll();
    expect(sent(flow.received, 'setLr').map((x) => x.lr)).toEqual([0.15]);
    expect(lastPlay(flow)).toMatchObject({ speed: 0, until: 300 });
    flow.produce(10_000);
    f.flushAll();
    const a = r.flow!.toArrays();
    expect(a.step.length).toBe(300);
    expect(a.lr[199]).toBe(0.3);
    expect(a.lr[200]).toBe(0.15);
    expect(r.records.toArrays().lr[200]).toBe(0.15);
  });
});

describe('central flow: records and export', () => {
  const chunk = (n: number, withCentral: boolean) => {
    const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
    return {
      rows: n, k: 1,
      step: f((i) => i), time: f((i) => 0.3 * i), lr: f(() => 0.3), beta: f(() => 0.9), loss: f((i) => 1 / (1 + i)),
      accuracy: f(() => NaN), grad_norm: f(() => 1), threshold: f(() => 2 / 0.3),
      neig: Int32Array.from({ length: n }, () => 1), hvps: Int32Array.from({ length: n }, () => 3), eigs: f(() => 2 / 0.3),
      ...(withCentral ? { pred_loss: f((i) => 1.5 / (1 + i)), sigma2: f((i) => (i > 2 ? 0.01 : 0)) } : {}),
    };
  };

  it('a flow’s records keep pred_loss and sigma2; others export neither, and their CSV header is unchanged', () => {
    const flow = new RunRecords(1, true);
    flow.append(chunk(5, true));
    expect(flow.lastCentral('pred_loss')).toBeCloseTo(1.5 / 5, 12);
    const a = flow.toArrays();
    expect(a.pred_loss).toEqual([1.5, 0.75, 0.5, 0.375, 0.3]);
    expect(a.sigma2).toEqual([0, 0, 0, 0.01, 0.01]);
    const gd = new RunRecords(1);
    gd.append(chunk(5, false));
    expect(gd.toArrays().pred_loss).toBeUndefined();
    expect(gd.lastCentral('pred_loss')).toBeNaN();
    const base = { color: '#000', lr: 0.3, beta: 0.9, config: {} as never, phase: 'done' as const, divergedAt: null, error: null };
    const plain = toCSV([{ ...base, id: 1, label: 'GD', opt: 'gd', records: gd.toArrays() }]).split('\n').find((l) => l.startsWith('run,'));
    expect(plain).toBe('run,label,agg,step,time,lr,beta,loss,accuracy,grad_norm,threshold,hvps,eig1');
    const lines = toCSV([
      { ...base, id: 1, label: 'GD', opt: 'gd', records: gd.toArrays() },
      { ...base, id: 1, label: 'GD · central flow', opt: 'central', records: a },
    ]).split('\n');
    expect(lines.find((l) => l.startsWith('run,'))).toBe('run,label,agg,step,time,lr,beta,loss,accuracy,grad_norm,threshold,hvps,eig1,pred_loss,sigma2');
    const flowRows = lines.filter((l) => l.startsWith('1,"GD · central flow",exact'));
    expect(flowRows.length).toBe(5);
    expect(flowRows[3].endsWith(',0.375,0.01')).toBe(true);
    expect(lines.filter((l) => l.startsWith('1,"GD",exact'))[0].endsWith(',,')).toBe(true);
  });
});
