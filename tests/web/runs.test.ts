// Unit tests of the run manager (web/src/runs/manager.ts) against a fake worker that speaks
// the real protocol: one worker per run, pacing by `step n` requests at the chosen
// speed, the step limit and the automatic η drop landing exactly on their steps,
// live η changes, divergence of one run while another continues, stale progress
// after a reset being ignored, errors, add/remove, and the CSV/JSON exports.

import { describe, expect, it } from 'vitest';
import type { ToWorker } from '../../web/src/engine/protocol';
import { MAX_RUNS, type AppState, defaultState, presetState } from '../../web/src/state/schema';
import { PALETTE, RunManager, runLabel } from '../../web/src/runs/manager';
import { toCSV, toJSON } from '../../web/src/runs/export';
import { SeriesBuilder } from '../../web/src/charts/chartdata';
import { type FakeOptions, fakeFactory } from './fake-worker';

function setup(state: Partial<AppState> = {}, fake: FakeOptions = {}) {
  const f = fakeFactory(fake);
  let now = 0;
  const events: string[] = [];
  const m = new RunManager({
    createWorker: f.create,
    now: () => now,
    autoTick: false,
    onUpdate: (k) => events.push(k),
  });
  const s = { ...defaultState(), speed: 100, ...state };
  m.load(s);
  /** Advance the fake clock by ms, tick the pacer, deliver all answers. */
  const advance = (ms: number) => {
    now += ms;
    m.tick();
    f.flushAll();
  };
  return { m, f, s, events, advance };
}

const sent = (msgs: ToWorker[], type: ToWorker['type']) => msgs.filter((x) => x.type === type);

describe('RunManager', () => {
  it('makes one worker per run and sends each its own config', () => {
    const { m, f } = setup({ compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }, { opt: 'flow', lr: 0.2, beta: 0.9 }] });
    expect(m.runs.length).toBe(3);
    expect(f.made.length).toBe(3);
    const creates = f.made.map((w) => sent(w.received, 'create')[0] as Extract<ToWorker, { type: 'create' }>);
    expect(creates.map((c) => `${c.config.opt}:${c.config.lr}`)).toEqual(['gd:0.2', 'gd:0.1', 'flow:0.2']);
    expect(creates[0].config.dataset).toBe('chebyshev');
    expect(creates[0].config.widths).toEqual([20]);
    expect(new Set(m.runs.map((r) => r.color)).size).toBe(3);
    expect(m.runs[0].color).toBe(PALETTE[0]);
    expect(m.runs.every((r) => r.phase === 'starting')).toBe(true);
    f.flushAll();
    expect(m.runs.every((r) => r.phase === 'ready')).toBe(true);
  });

  it('paces play at `speed` steps/s per run, all runs in parallel', () => {
    const { m, f, advance } = setup({ speed: 100, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    m.play();
    advance(100); // 0.1 s at 100 steps/s → 10 steps each
    expect(m.runs.map((r) => r.records.rows)).toEqual([10, 10]);
    for (let i = 0; i < 10; i++) advance(100);
    expect(m.runs.map((r) => r.records.rows)).toEqual([110, 110]);
    const steps = sent(f.made[0].received, 'step') as Extract<ToWorker, { type: 'step' }>[];
    expect(steps.every((s) => s.n === 10)).toBe(true);
    expect(m.runs[0].stepsPerSecond).toBeCloseTo(100, 0);
    m.pause();
    advance(1000);
    expect(m.runs[0].records.rows).toBe(110);
  });

  it('waits for the previous request before sending another (no pile-up)', () => {
    const { m, f } = setup({ speed: 100 });
    f.flushAll();
    m.play();
    let now = 0;
    // tick without delivering answers: only one step request in flight
    for (let i = 0; i < 5; i++) {
      now += 100;
      (m as unknown as { now: () => number }).now = () => now;
      m.tick();
    }
    expect(sent(f.made[0].received, 'step').length).toBe(1);
  });

  it('stops exactly at the step limit and reports done', () => {
    const { m, advance } = setup({ speed: 1000, steps: 250 });
    advance(0);
    m.play();
    for (let i = 0; i < 20; i++) advance(100);
    const r = m.runs[0];
    expect(r.records.rows).toBe(250);
    expect(r.records.last('step')).toBe(249);
    expect(r.phase).toBe('done');
    expect(m.playing).toBe(false);
  });

  it('applies the η drop at exactly lr_drop_at, keeps the user setting, and the chart gets a marker there', () => {
    const { m, f, advance } = setup({ speed: 1000, lr_drop_at: 150, lr_drop_factor: 0.5, steps: 300 });
    advance(0);
    m.play();
    for (let i = 0; i < 10; i++) advance(100);
    const r = m.runs[0];
    const lr = r.records.cols.lr;
    expect(lr.get(149)).toBe(0.2);
    expect(lr.get(150)).toBe(0.1);
    expect(r.lr).toBe(0.1);
    expect(r.spec.lr).toBe(0.2); // reset starts from the user's η again
    const setLrs = sent(f.made[0].received, 'setLr') as Extract<ToWorker, { type: 'setLr' }>[];
    expect(setLrs.map((s) => s.lr)).toEqual([0.1]);
    const b = new SeriesBuilder(1, 'step', true);
    b.sync(r.records);
    expect(b.s.markers.map((x) => x.step)).toEqual([150]);
    expect(b.s.threshold.pts.map((p) => p.y)).toEqual([10, 10, 20, 20]);
  });

  it('a live η change goes to that run only and is recorded from the next request on', () => {
    const { m, f, advance } = setup({ speed: 100, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    advance(0);
    m.play();
    advance(100);
    m.setLr(m.runs[1].id, 0.05);
    advance(100);
    expect(sent(f.made[0].received, 'setLr').length).toBe(0);
    expect((sent(f.made[1].received, 'setLr')[0] as { lr: number }).lr).toBe(0.05);
    expect(m.runs[1].spec.lr).toBe(0.05);
    expect(m.runs[1].records.cols.lr.get(9)).toBe(0.1);
    expect(m.runs[1].records.cols.lr.get(10)).toBe(0.05);
    expect(m.runs[0].records.cols.lr.get(10)).toBe(0.2);
  });

  it('invalid η values are ignored', () => {
    const { m, f } = setup();
    f.flushAll();
    for (const bad of [0, -1, NaN, Infinity]) m.setLr(m.runs[0].id, bad);
    expect(sent(f.made[0].received, 'setLr').length).toBe(0);
    expect(m.runs[0].spec.lr).toBe(0.2);
  });

  it('a diverging run reports "diverged" at its step while the other keeps running', () => {
    const { m, advance } = setup({ speed: 100, lr: 5, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] }, { divergeLr: 1 });
    advance(0);
    m.play();
    for (let i = 0; i < 5; i++) advance(100);
    const [bad, good] = m.runs;
    expect(bad.phase).toBe('diverged');
    expect(bad.divergedAt).toBe(1); // loss ×1e3 per step from 1: > 1e5 at step 1
    expect(bad.records.last('step')).toBe(1);
    expect(good.phase).toBe('ready');
    expect(good.records.rows).toBe(50);
    expect(m.playing).toBe(true);
  });

  it('reset recreates every run and drops progress that belonged to the old run', () => {
    const { m, f, advance } = setup({ speed: 100 });
    advance(0);
    m.play();
    advance(100);
    advance(100);
    expect(m.runs[0].records.rows).toBe(20);
    m.reset();
    expect(m.runs[0].records.rows).toBe(0);
    // A chunk of the old run still in the pipe arrives before the create's answer.
    const w = f.made[0];
    const stale = { type: 'progress' as const, chunk: { rows: 0, k: 1, step: new Float64Array(), time: new Float64Array(), lr: new Float64Array(), beta: new Float64Array(), loss: new Float64Array(), accuracy: new Float64Array(), grad_norm: new Float64Array(), threshold: new Float64Array(), neig: new Int32Array(), hvps: new Int32Array(), eigs: new Float64Array() }, info: { ...w.info(), step: 999 }, stepsPerSecond: 1 };
    (w as unknown as { outbox: unknown[] }).outbox.unshift(stale);
    f.flushAll();
    expect(m.runs[0].info?.step).toBe(0);
    expect(sent(w.received, 'create').length).toBe(2);
    advance(100);
    expect(m.runs[0].records.rows).toBe(10);
    expect(m.runs[0].records.cols.step.get(0)).toBe(0);
  });

  it('play after every run finished starts them over', () => {
    const { m, f, advance } = setup({ speed: 1000, steps: 50 });
    advance(0);
    m.play();
    advance(100);
    expect(m.runs[0].phase).toBe('done');
    m.play();
    expect(sent(f.made[0].received, 'create').length).toBe(2);
    f.flushAll();
    advance(30);
    expect(m.runs[0].records.rows).toBe(30);
  });

  it('a rejected config shows as an error on that run', () => {
    const { m, f } = setup({}, { createError: 'loss ce needs a classification dataset' });
    f.flushAll();
    expect(m.runs[0].phase).toBe('error');
    expect(m.runs[0].error).toBe('loss ce needs a classification dataset');
  });

  it('add and remove runs; at most MAX_RUNS; removed workers are terminated', () => {
    const { m, f } = setup();
    for (let i = 0; i < 20; i++) m.addRun({ opt: 'gd', lr: 0.1 / (i + 1), beta: 0.9 });
    expect(m.runs.length).toBe(MAX_RUNS);
    expect(f.made.length).toBe(MAX_RUNS);
    const victim = m.runs[2];
    m.removeRun(victim.id);
    expect(m.runs.length).toBe(MAX_RUNS - 1);
    expect(f.made[2].terminated).toBe(true);
    expect(m.byId(victim.id)).toBeUndefined();
    const again = m.addRun({ opt: 'flow', lr: 0.2, beta: 0.9 });
    expect(again?.color).toBe(victim.color); // its colour is free again
    m.dispose();
    expect(f.made.every((w) => w.terminated)).toBe(true);
  });

  it('changing the optimiser restarts that run only; changing η alone is live', () => {
    const { m, f, advance } = setup({ speed: 100, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    advance(0);
    m.play();
    advance(100);
    m.updateRun(m.runs[1].id, { opt: 'polyak', lr: 0.1, beta: 0.5 });
    expect(sent(f.made[1].received, 'create').length).toBe(2);
    expect(sent(f.made[0].received, 'create').length).toBe(1);
    const c = sent(f.made[1].received, 'create')[1] as Extract<ToWorker, { type: 'create' }>;
    expect(c.config.opt).toBe('polyak');
    expect(c.config.beta).toBe(0.5);
    m.updateRun(m.runs[1].id, { opt: 'polyak', lr: 0.07, beta: 0.5 });
    expect(sent(f.made[1].received, 'create').length).toBe(2);
    expect(sent(f.made[1].received, 'setLr').length).toBe(1);
  });

  it('setProblem restarts all runs with the new problem and keeps their optimisers', () => {
    const { m, f, s } = setup({ compare: [{ opt: 'flow', lr: 0.2, beta: 0.9 }] });
    f.flushAll();
    m.setProblem({ ...s, dataset: 'moons', neigs: 3 });
    const c = f.made.map((w) => sent(w.received, 'create').at(-1) as Extract<ToWorker, { type: 'create' }>);
    expect(c.map((x) => `${x.config.dataset}/${x.config.opt}/${x.config.neigs}`)).toEqual(['moons/gd/3', 'moons/flow/3']);
    expect(m.runs[0].records.k).toBe(3);
  });

  it('exports every run as arrays, CSV and JSON', () => {
    const { m, advance } = setup({ speed: 100, neigs: 2, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    advance(0);
    m.play();
    advance(100);
    advance(100);
    const ex = m.exportRuns();
    expect(ex.length).toBe(2);
    expect(ex[0].label).toBe(runLabel({ opt: 'gd', lr: 0.2, beta: 0.9 }));
    expect(ex[0].records.rows).toBe(20);
    expect(ex[0].records.eig.step).toEqual([0, 10]);
    expect(ex[0].records.eig.values[1][1]).toBeCloseTo(5.1 / 2, 12);
    const all = toCSV(ex).trim().split('\n');
    const comments = all.filter((l) => l.startsWith('#'));
    expect(comments).toContain('# run 1 rows: steps 0-19: 20 rows, exact');
    expect(comments).toContain('# run 1 eigenvalue rows: steps 0-10: 2 rows, exact');
    const csv = all.filter((l) => !l.startsWith('#'));
    expect(all.indexOf(csv[0])).toBe(comments.length); // comments come first
    expect(csv[0]).toBe('run,label,agg,step,time,lr,beta,loss,accuracy,grad_norm,threshold,hvps,eig1,eig2');
    expect(csv.length).toBe(1 + 40);
    const row10 = csv[1 + 10].split(',');
    expect(row10[2]).toBe('exact');
    expect(row10[3]).toBe('10');
    expect(Number(row10[12])).toBeCloseTo(5.1, 12);
    const row11 = csv[1 + 11].split(',');
    expect(row11[12]).toBe(''); // no eigenvalue on step 11
    expect(row11[8]).toBe(''); // accuracy NaN (regression) → empty cell
    const json = JSON.parse(toJSON(ex, 'lr=0.2'));
    expect(json.runs.length).toBe(2);
    expect(json.runs[1].records.lr[0]).toBe(0.1);
    expect(json.runs[0].records.accuracy[0]).toBeNull();
    expect(json.query).toBe('lr=0.2');
    expect(json.runs[0].records.resolution).toEqual([{ from_step: 0, to_step: 19, every: 1, rows: 20 }]);
    expect(json.runs[0].records.appended).toBe(20);
  });

  it('load() of a preset replaces the runs', () => {
    const { m, f } = setup();
    m.load({ ...presetState('figure1'), speed: 100 });
    expect(m.runs.map((r) => r.spec.opt)).toEqual(['gd', 'gd', 'gd', 'flow']);
    expect(f.made[0].terminated).toBe(true);
    expect(f.made.length).toBe(5);
  });
});
