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
    expect(sent(f.made[1].received, 'play').length).toBeGreaterThan(0);
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
