// Unit tests of the run manager (web/src/runs/manager.ts) against a fake worker that speaks
// protocol v2: one worker per run; play carries the speed and the step to stop at (the
// worker paces); Pause shows at once and chunks still in flight do not undo it; the run
// length and a Step end as they should; live η and β; divergence and engine failures of
// one run while another continues; a slow engine call shows on the run; Reset and ×
// cut off a worker that is inside a long call; add/remove; exports.

import { describe, expect, it } from 'vitest';
import type { ToWorker } from '../../web/src/engine/protocol';
import { MAX_RUNS, type AppState, defaultState } from '../../web/src/state/schema';
import { presetState } from '../../web/src/state/presets';
import { RunManager } from '../../web/src/runs/manager';
import { PALETTE, runLabel, statusText } from '../../web/src/runs/run';
import { toCSV, toJSON } from '../../web/src/runs/export';
import { type FakeOptions, fakeFactory } from './fake-worker';

function setup(state: Partial<AppState> = {}, fake: FakeOptions = {}) {
  const f = fakeFactory(fake);
  let now = 0;
  const events: string[] = [];
  const m = new RunManager({ createWorker: f.create, now: () => now, onUpdate: (k) => events.push(k) });
  const s = { ...defaultState(), speed: 100, ...state };
  m.load(s);
  const clock = (ms: number) => (now += ms);
  return { m, f, s, events, clock };
}

type Msg<T extends ToWorker['type']> = Extract<ToWorker, { type: T }>;
const sent = <T extends ToWorker['type']>(msgs: ToWorker[], type: T) => msgs.filter((x): x is Msg<T> => x.type === type);

describe('RunManager', () => {
  it('makes one worker per run and sends each its own config', () => {
    const { m, f } = setup({ compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }, { opt: 'flow', lr: 0.2, beta: 0.9 }] });
    expect(m.runs.length).toBe(3);
    expect(f.made.length).toBe(3);
    const creates = f.made.map((w) => sent(w.received, 'create')[0]);
    expect(creates.map((c) => `${c.config.opt}:${c.config.lr}`)).toEqual(['gd:0.3', 'gd:0.1', 'flow:0.2']);
    expect(creates[0].config.dataset).toBe('chebyshev');
    expect(creates[0].config.widths).toEqual([32, 32, 32]);
    expect(new Set(m.runs.map((r) => r.color)).size).toBe(3);
    expect(m.runs[0].color).toBe(PALETTE[0]);
    expect(m.runs.every((r) => r.status === 'idle')).toBe(true);
    expect(statusText(m.runs[0], 0)).toBe('starting…');
    f.flushAll();
    expect(m.runs.every((r) => r.status === 'paused')).toBe(true);
  });

  it('the η schedule is part of the config: the drop preset sends lr_schedule and no setLr', () => {
    const { m, f } = setup({ ...presetState('drop'), speed: 100 });
    f.flushAll();
    m.play();
    f.run(600);
    expect(sent(f.made[0].received, 'create')[0].config.lr_schedule).toBe('500:x0.5');
    expect(sent(f.made[0].received, 'setLr')).toEqual([]);
  });

  it('play tells each worker the speed and the step to stop at; the worker streams the records', () => {
    const { m, f } = setup({ speed: 250, steps: 3000, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    m.play(); // before the engines exist: they play once created
    expect(m.runs.every((r) => r.status === 'idle')).toBe(true);
    f.flushAll();
    for (const w of f.made) expect(sent(w.received, 'play')).toEqual([{ type: 'play', id: expect.any(Number), speed: 250, until: 3000 }]);
    expect(m.runs.every((r) => r.status === 'playing')).toBe(true);
    f.run(40);
    expect(m.runs.map((r) => r.records.rows)).toEqual([40, 40]);
    expect(m.runs[1].records.last('lr')).toBe(0.1);
    expect(statusText(m.runs[0], 0)).toBe('running · step 40');
  });

  it('pause shows at once; a chunk still in flight is recorded but does not undo it', () => {
    const { m, f } = setup();
    f.flushAll();
    m.play();
    f.flushAll();
    f.made[0].produce(30); // computed, not yet delivered
    m.pause();
    expect(m.runs[0].status).toBe('paused');
    expect(m.playing).toBe(false);
    expect(sent(f.made[0].received, 'pause').length).toBe(1);
    f.flushAll();
    expect(m.runs[0].records.rows).toBe(30);
    expect(m.runs[0].status).toBe('paused');
    f.run(100); // the worker is paused: nothing more
    expect(m.runs[0].records.rows).toBe(30);
  });

  it('a speed change reaches playing runs as a new play; no restart', () => {
    const { m, f } = setup({ speed: 100 });
    f.flushAll();
    m.play();
    f.flushAll();
    m.setPacing({ speed: 0, steps: 3000 });
    const plays = sent(f.made[0].received, 'play');
    expect(plays.map((p) => p.speed)).toEqual([100, 0]);
    expect(sent(f.made[0].received, 'create').length).toBe(1);
  });

  it('stops at the run length with "done"; a longer run length continues it', () => {
    const { m, f } = setup({ steps: 250 });
    f.flushAll();
    m.play();
    f.run(1000);
    const r = m.runs[0];
    expect(r.records.rows).toBe(250);
    expect(r.records.last('step')).toBe(249);
    expect(r.status).toBe('done');
    expect(m.playing).toBe(false);
    m.setPacing({ speed: 100, steps: 400 });
    expect(r.status).toBe('paused');
    m.play();
    f.run(1000);
    expect(r.records.rows).toBe(400);
    expect(sent(f.made[0].received, 'play').map((p) => p.until)).toEqual([250, 400]);
    expect(sent(f.made[0].received, 'create').length).toBe(1);
  });

  it('Step advances paused runs by n steps and they pause again', () => {
    const { m, f } = setup({ steps: 3000 });
    f.flushAll();
    m.step(10);
    f.run(1000);
    expect(m.runs[0].records.rows).toBe(10);
    expect(m.runs[0].status).toBe('paused');
    m.step(10);
    f.run(1000);
    expect(m.runs[0].records.rows).toBe(20);
    expect(sent(f.made[0].received, 'play').map((p) => p.until)).toEqual([10, 20]);
  });

  it('a live η change goes to that run only; the run is where η lives', () => {
    const { m, f } = setup({ compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    m.play();
    f.run(10);
    m.setLr(m.runs[1].id, 0.05);
    f.run(10);
    expect(sent(f.made[0].received, 'setLr').length).toBe(0);
    expect(sent(f.made[1].received, 'setLr').map((x) => x.lr)).toEqual([0.05]);
    expect(m.specs().map((s) => s.lr)).toEqual([0.3, 0.05]);
    expect(m.runs[1].records.cols.lr.get(9)).toBe(0.1);
    expect(m.runs[1].records.cols.lr.get(10)).toBe(0.05);
    expect(m.runs[1].records.last('threshold')).toBe(40);
  });

  it('invalid η values are ignored', () => {
    const { m, f } = setup();
    f.flushAll();
    for (const bad of [0, -1, NaN, Infinity]) m.setLr(m.runs[0].id, bad);
    expect(sent(f.made[0].received, 'setLr').length).toBe(0);
    expect(m.runs[0].spec.lr).toBe(0.3);
  });

  it('β alone is live; a new optimiser restarts that run only', () => {
    const { m, f } = setup({ compare: [{ opt: 'polyak', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    m.updateRun(m.runs[1].id, { opt: 'polyak', lr: 0.1, beta: 0.5 });
    expect(sent(f.made[1].received, 'setBeta').map((x) => x.beta)).toEqual([0.5]);
    expect(sent(f.made[1].received, 'create').length).toBe(1);
    m.updateRun(m.runs[1].id, { opt: 'nesterov', lr: 0.1, beta: 0.5 });
    expect(sent(f.made[1].received, 'create').length).toBe(2);
    expect(sent(f.made[0].received, 'create').length).toBe(1);
    const c = sent(f.made[1].received, 'create')[1];
    expect(c.config.opt).toBe('nesterov');
    expect(c.config.beta).toBe(0.5);
  });

  it('a diverging run reports "diverged" at its step while the other keeps running', () => {
    const { m, f } = setup({ lr: 5, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] }, { divergeLr: 1, chunkRows: 10 });
    f.flushAll();
    m.play();
    f.run(50);
    const [bad, good] = m.runs;
    expect(bad.status).toBe('diverged');
    expect(bad.divergedAt).toBe(1); // loss ×1e3 per step from 1: > 1e5 at step 1
    expect(statusText(bad, 0)).toBe('diverged at step 1');
    expect(good.status).toBe('playing');
    expect(good.records.rows).toBe(50);
    expect(m.playing).toBe(true);
  });

  it('the chunk that ends a run is reported as a status change, so the card redraws at once', () => {
    const diverging = setup({ lr: 5 }, { divergeLr: 1, chunkRows: 10 });
    diverging.f.flushAll();
    diverging.m.play();
    diverging.events.length = 0;
    diverging.f.run(50);
    expect(diverging.m.runs[0].status).toBe('diverged');
    expect(diverging.events.at(-1)).toBe('status'); // the last message there is: nothing redraws it later
    const ending = setup({ steps: 30 }, { chunkRows: 10 });
    ending.f.flushAll();
    ending.m.play();
    ending.events.length = 0;
    ending.f.run(50);
    expect(ending.m.runs[0].status).toBe('done');
    expect(ending.events.at(-1)).toBe('status');
  });

  it('a slow engine call shows on the run card, and goes with the next chunk', () => {
    const { m, f, clock } = setup({ neigs: 10 });
    f.flushAll();
    m.play();
    f.flushAll();
    f.made[0].inject({ type: 'busy', what: 'eigs', step: 0, k: 10, hvps: 38, ms: 12_000 });
    f.flushAll();
    expect(statusText(m.runs[0], 0)).toBe('running · step 0 · computing λ₁…λ₁₀ · 38 HVPs · 12 s');
    clock(2000);
    expect(statusText(m.runs[0], 2000)).toContain('· 14 s');
    f.made[0].inject({ type: 'busy', what: 'step', step: 3, k: 0, hvps: 0, ms: 1500 });
    f.flushAll();
    expect(statusText(m.runs[0], 2000)).toBe('running · step 0 · computing step 3 · 1 s');
    f.run(5);
    expect(m.runs[0].busy).toBeNull();
  });

  it('an engine failure fails that run with the engine\'s message; the others go on', () => {
    const { m, f } = setup({ compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    m.play();
    f.run(5);
    f.made[0].inject({ type: 'failed', message: 'std::bad_alloc' });
    f.run(5);
    expect(m.runs[0].status).toBe('failed');
    expect(statusText(m.runs[0], 0)).toBe('failed: std::bad_alloc');
    expect(m.runs[1].status).toBe('playing');
    expect(m.runs[1].records.rows).toBe(10);
    expect(m.playing).toBe(true);
  });

  it('a refused config fails the run with the engine\'s own message', () => {
    const { m, f } = setup({ loss: 'ce' }, { createError: "loss ce needs a classification dataset, got 'chebyshev'" });
    m.play();
    f.flushAll();
    expect(m.runs[0].status).toBe('failed');
    expect(m.runs[0].error).toBe("loss ce needs a classification dataset, got 'chebyshev'");
    expect(m.playing).toBe(false); // nothing left that can play
  });

  it('reset cuts a worker inside a long call off at once and starts over on a fresh one', () => {
    const { m, f } = setup();
    f.flushAll();
    m.play();
    f.run(20);
    const old = f.made[0];
    old.inject({ type: 'busy', what: 'eigs', step: 20, k: 1, hvps: 12, ms: 3000 });
    f.flushAll();
    old.hung = true;
    old.produce(5); // the long call's chunk, never to be seen
    m.reset();
    expect(old.terminated).toBe(true);
    expect(m.runs[0].records.rows).toBe(0);
    expect(m.runs[0].status).toBe('idle');
    expect(m.runs[0].busy).toBeNull();
    expect(f.made.length).toBe(2);
    f.run(10);
    expect(m.runs[0].records.rows).toBe(10);
    expect(m.runs[0].records.cols.step.get(0)).toBe(0);
  });

  it('progress that belongs to a replaced run is dropped (restart on the same worker)', () => {
    const { m, f, s } = setup();
    f.flushAll();
    m.play();
    f.run(20);
    const w = f.made[0];
    w.produce(7); // old run's chunk still queued
    m.setProblem({ ...s, n: 30 });
    f.flushAll();
    expect(f.made.length).toBe(1);
    expect(m.runs[0].records.rows).toBe(0);
    f.run(10);
    expect(m.runs[0].records.rows).toBe(10);
  });

  it('play after every run finished starts them over', () => {
    const { m, f } = setup({ steps: 50 });
    f.flushAll();
    m.play();
    f.run(100);
    expect(m.runs[0].status).toBe('done');
    m.play();
    expect(f.made.length).toBe(2);
    f.run(30);
    expect(m.runs[0].records.rows).toBe(30);
  });

  it('add and remove runs; at most MAX_RUNS; × cuts the worker off at once', () => {
    const { m, f } = setup();
    for (let i = 0; i < 20; i++) m.addRun({ opt: 'gd', lr: 0.1 / (i + 1), beta: 0.9 });
    expect(m.runs.length).toBe(MAX_RUNS);
    expect(f.made.length).toBe(MAX_RUNS);
    const victim = m.runs[2];
    f.made[2].hung = true;
    m.removeRun(victim.id);
    expect(m.runs.length).toBe(MAX_RUNS - 1);
    expect(f.made[2].terminated).toBe(true);
    expect(m.byId(victim.id)).toBeUndefined();
    const again = m.addRun({ opt: 'flow', lr: 0.2, beta: 0.9 });
    expect(again?.color).toBe(victim.color); // its colour is free again
    m.dispose();
    expect(f.made.every((w) => w.terminated)).toBe(true);
  });

  it('setProblem restarts all runs with the new problem and keeps their optimisers', () => {
    const { m, f, s } = setup({ compare: [{ opt: 'flow', lr: 0.2, beta: 0.9 }] });
    f.flushAll();
    m.setProblem({ ...s, dataset: 'moons', neigs: 3 });
    const c = f.made.map((w) => sent(w.received, 'create').at(-1)!);
    expect(c.map((x) => `${x.config.dataset}/${x.config.opt}/${x.config.neigs}`)).toEqual(['moons/gd/3', 'moons/flow/3']);
    expect(m.runs[0].records.k).toBe(3);
  });

  it('exports every run as arrays, CSV and JSON', () => {
    const { m, f } = setup({ neigs: 2, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    f.flushAll();
    m.play();
    f.run(20);
    const ex = m.exportRuns();
    expect(ex.length).toBe(2);
    expect(ex[0].label).toBe(runLabel({ opt: 'gd', lr: 0.3, beta: 0.9 }));
    expect(ex[0].phase).toBe('playing');
    expect(ex[0].records.rows).toBe(20);
    expect(ex[0].records.eig.step).toEqual([0, 10]);
    expect(ex[0].records.eig.values[1][1]).toBeCloseTo(5.1 / 2, 12);
    const csv = toCSV(ex).trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(csv[0]).toBe('run,label,agg,step,time,lr,beta,loss,accuracy,grad_norm,threshold,hvps,eig1,eig2');
    expect(csv.length).toBe(1 + 40);
    const json = JSON.parse(toJSON(ex, 'lr=0.2'));
    expect(json.runs.length).toBe(2);
    expect(json.runs[1].records.lr[0]).toBe(0.1);
    expect(json.runs[1].config.lr).toBe(0.1);
    expect(json.query).toBe('lr=0.2');
    expect(json.sweep).toBeUndefined();
    const withSweep = JSON.parse(toJSON(ex, '', { sweep: { points: [{ id: 1, median: 10 }], flow: NaN } }));
    expect(withSweep.sweep).toEqual({ points: [{ id: 1, median: 10 }], flow: null });
    expect(withSweep.runs.length).toBe(2);
  });

  it('load() of a preset replaces the runs', () => {
    const { m, f } = setup();
    m.load({ ...presetState('figure1'), speed: 100 });
    expect(m.runs.map((r) => r.spec.opt)).toEqual(['gd', 'gd', 'gd', 'flow']);
    expect(f.made[0].terminated).toBe(true);
    expect(f.made.length).toBe(5);
  });
});
