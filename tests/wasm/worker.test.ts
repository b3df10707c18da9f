// The engine worker's protocol (web/src/engine/worker.ts) and the Run API
// (web/src/engine/run.ts), driven in Node through createWorkerCore against the
// real WASM module: create, chunked stepping with transferable records, a live
// step-size change that takes effect on the next chunk, pause/resume, stop,
// divergence, maxSteps, and `error` replies to invalid messages.
// Run: npx vitest run --config tests/wasm/vitest.config.ts
import { beforeAll, describe, expect, test } from 'vitest';
import type { EosModule, RunHandle } from 'eoslab-wasm';
import type { FromWorker, RecordChunk } from '../../web/src/engine/protocol';
import { createWorkerCore, eigStepsIn, parseToWorker, startWorker, type WorkerCoreOptions } from '../../web/src/engine/worker';
import { isNode, loadEngine } from '../../web/src/engine/loader';
import { Run } from '../../web/src/engine/run';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

const SMALL = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', lr: 0.2, eig_every: 10 };

type Sent = { msg: FromWorker; transfer: Transferable[] };

/** A core with a manual scheduler: pump() runs the queued chunk callbacks one by one. */
function harness(m: EosModule = mod, opts: WorkerCoreOptions = {}) {
  const sent: Sent[] = [];
  const tasks: (() => void)[] = [];
  const core = createWorkerCore(m, (msg, transfer) => sent.push({ msg, transfer }), {
    schedule: (fn) => tasks.push(fn),
    ...opts,
  });
  let nextId = 1;
  return {
    core,
    sent,
    tasks,
    /** Runs up to n queued callbacks (each may queue the next); returns how many ran. */
    pump(n = Infinity): number {
      let k = 0;
      while (tasks.length > 0 && k < n) {
        tasks.shift()!();
        k++;
      }
      return k;
    },
    send(msg: Record<string, unknown>): number {
      const id = nextId++;
      core.handle({ id, ...msg });
      return id;
    },
    progress(): Extract<FromWorker, { type: 'progress' }>[] {
      return sent.map((s) => s.msg).filter((x): x is Extract<FromWorker, { type: 'progress' }> => x.type === 'progress');
    },
    replies(id: number): FromWorker[] {
      return sent.map((s) => s.msg).filter((x) => x.type !== 'progress' && x.id === id);
    },
  };
}

function onlyReply(h: ReturnType<typeof harness>, id: number): FromWorker {
  const r = h.replies(id);
  expect(r, `replies to #${id}`).toHaveLength(1);
  return r[0];
}

/** Concatenated column of all progress chunks. */
function column(chunks: RecordChunk[], key: 'step' | 'lr' | 'threshold' | 'loss'): number[] {
  return chunks.flatMap((c) => Array.from(c[key]));
}

/**
 * The real module, but every RunHandle.step advances a fake clock by a known cost
 * (a ms per step + b ms per eigenvalue step), so the chunk planner can be checked exactly.
 */
function fakeCostModule(clock: { t: number }, a: number, b: number): EosModule {
  const wrap = (h: RunHandle): RunHandle => ({
    step(n) {
      const c = h.step(n);
      let e = 0;
      for (let i = 0; i < c.rows; i++) if (c.neig[i] > 0) e++;
      clock.t += a * c.rows + b * e;
      return c;
    },
    setLr: (x) => h.setLr(x),
    setBeta: (x) => h.setBeta(x),
    sharpness: (k) => h.sharpness(k),
    info: () => h.info(),
    params: () => h.params(),
    changes: () => h.changes(),
    config: () => h.config(),
    delete: () => h.delete(),
    isDeleted: () => h.isDeleted(),
  });
  return { ...mod, createRun: (cfg) => wrap(mod.createRun(cfg)) } as EosModule;
}

describe('loader and Run API', () => {
  test('the loader finds the .wasm in Node and loads the SIMD build once', async () => {
    expect(isNode()).toBe(true);
    expect(mod.simdInUse()).toContain('SSE4.1');
    expect(await loadEngine()).toBe(mod);
  });

  test('Run: create, step, setLr, setMomentum, sharpness, snapshot, dispose', () => {
    const run = Run.create(mod, { ...SMALL, opt: 'polyak', beta: 0.5 });
    const c = run.step(12);
    expect(c.rows).toBe(12);
    run.setLr(0.1);
    run.setMomentum(0.7);
    const c2 = run.step(2);
    expect(Array.from(c2.lr)).toEqual([0.1, 0.1]);
    expect(Array.from(c2.beta)).toEqual([0.7, 0.7]);
    const s = run.sharpness(2);
    expect(s.values).toHaveLength(2);
    const snap = run.snapshot();
    expect(snap.info.step).toBe(14);
    expect(snap.config.opt).toBe('polyak');
    expect(snap.params).toHaveLength(snap.info.numParams);
    expect(snap.changes.map((x) => x.step)).toEqual([12, 12]);
    expect(() => run.setLr(-1)).toThrowError('lr must be > 0 and finite, got -1');
    expect(() => run.setMomentum(1.5)).toThrowError('beta must be in [0, 1) and finite, got 1.5');
    run.dispose();
    run.dispose(); // idempotent
    expect(run.disposed).toBe(true);
    expect(() => run.step(1)).toThrowError('this Run has been disposed');
    expect(() => Run.create(mod, { n: 0 })).toThrowError('n must be in [1, 20000], got 0');
  });
});

describe('worker protocol', () => {
  test('create: result with the run info (paused); a bad config is an error with the engine message', () => {
    const h = harness();
    const id = h.send({ type: 'create', config: SMALL });
    const r = onlyReply(h, id);
    expect(r).toMatchObject({ type: 'result', info: { status: 'paused', step: 0, numParams: 61, lr: 0.2, threshold: 10 } });
    const bad = h.send({ type: 'create', config: { ...SMALL, lr: -1 } });
    expect(onlyReply(h, bad)).toEqual({ type: 'error', id: bad, message: 'lr must be > 0 and finite, got -1' });
    const typo = h.send({ type: 'create', config: { learning_rate: 0.1 } });
    expect((onlyReply(h, typo) as { message: string }).message).toMatch(/^unknown config field 'learning_rate' \(known fields: /);
    h.core.dispose();
  });

  test('step n: several chunks of contiguous records (transferred buffers), then one result', () => {
    const clock = { t: 0 };
    const h = harness(fakeCostModule(clock, 0.5, 5), { now: () => clock.t });
    h.send({ type: 'create', config: SMALL });
    const id = h.send({ type: 'step', n: 200 });
    expect(h.replies(id)).toHaveLength(0); // not done synchronously: chunks go through the scheduler
    h.pump();
    const prog = h.progress();
    expect(prog.length).toBeGreaterThan(5);
    const chunks = prog.map((p) => p.chunk);
    expect(column(chunks, 'step')).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Chunk cost under the fake clock: 0.5 ms/step + 5 ms per eigenvalue step. After the
    // first two chunks (from which the worker fits both costs) every chunk fits the 15 ms budget.
    const cost = chunks.map((c) => 0.5 * c.rows + 5 * Array.from(c.neig).filter((k) => k > 0).length);
    expect(chunks[0].rows).toBe(1);
    expect(Math.max(...cost.slice(2))).toBeLessThanOrEqual(15);
    // ...and uses it: once fitted, chunks stop just before the step that would overrun it.
    const later = cost.slice(4, -1);
    expect(later.reduce((x, y) => x + y, 0) / later.length).toBeGreaterThanOrEqual(9);
    expect(Math.max(...chunks.map((c) => c.rows))).toBeGreaterThanOrEqual(10); // grew from 1
    // Each progress transfers the chunk's 11 own buffers.
    for (const s of h.sent.filter((x) => x.msg.type === 'progress')) {
      const c = (s.msg as Extract<FromWorker, { type: 'progress' }>).chunk;
      const bufs = [c.step, c.time, c.lr, c.beta, c.loss, c.accuracy, c.grad_norm, c.threshold, c.neig, c.hvps, c.eigs].map((a) => a.buffer);
      expect(new Set(s.transfer).size).toBe(11);
      expect(new Set([...bufs, ...s.transfer]).size).toBe(11);
    }
    // The result comes after the last progress, with the final info.
    const last = h.sent.findIndex((s) => s.msg.type === 'result' && s.msg.id === id);
    expect(last).toBe(h.sent.length - 1);
    expect(onlyReply(h, id)).toMatchObject({ type: 'result', info: { step: 200, status: 'paused' } });
    expect(prog[prog.length - 1].stepsPerSecond).toBeGreaterThan(0);
    h.core.dispose();
  });

  test('the planner counts eigenvalue steps in a chunk', () => {
    expect(eigStepsIn(0, 1, 10)).toBe(1);
    expect(eigStepsIn(0, 10, 10)).toBe(1);
    expect(eigStepsIn(0, 11, 10)).toBe(2);
    expect(eigStepsIn(1, 9, 10)).toBe(0);
    expect(eigStepsIn(5, 20, 10)).toBe(2);
    expect(eigStepsIn(3, 100, 0)).toBe(0);
  });

  test('a live lr change takes effect on the next chunk (lr and threshold in the records)', () => {
    const h = harness();
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'step', n: 300 });
    h.pump(3); // three chunks done
    const before = h.progress().map((p) => p.chunk);
    const stepsBefore = column(before, 'step').length;
    expect(stepsBefore).toBeGreaterThan(0);
    const id = h.send({ type: 'setLr', lr: 0.1 });
    expect(onlyReply(h, id)).toMatchObject({ type: 'result', info: { lr: 0.1, threshold: 20, step: stepsBefore } });
    h.pump();
    const all = h.progress().map((p) => p.chunk);
    const after = all.slice(before.length);
    expect(after.length).toBeGreaterThan(0);
    expect(column(before, 'lr').every((x) => x === 0.2)).toBe(true);
    expect(column(before, 'threshold').every((x) => x === 10)).toBe(true);
    expect(column(after, 'lr').every((x) => x === 0.1)).toBe(true);
    expect(column(after, 'threshold').every((x) => x === 20)).toBe(true);
    expect(after[0].step[0]).toBe(stepsBefore); // the very next step, no gap
    expect(column(all, 'step')).toHaveLength(300);
    // An invalid lr is refused with the engine's message and changes nothing.
    const bad = h.send({ type: 'setLr', lr: 0 });
    expect(onlyReply(h, bad)).toEqual({ type: 'error', id: bad, message: 'lr must be > 0 and finite, got 0' });
    const info = h.send({ type: 'info' });
    expect(onlyReply(h, info)).toMatchObject({ info: { lr: 0.1 } });
    h.core.dispose();
  });

  test('play, pause, resume: no chunks while paused, records continue where they stopped', () => {
    const h = harness();
    h.send({ type: 'create', config: SMALL });
    const play = h.send({ type: 'play' });
    expect(onlyReply(h, play)).toMatchObject({ type: 'result', info: { status: 'playing' } });
    h.pump(5);
    const pause = h.send({ type: 'pause' });
    expect(onlyReply(h, pause)).toMatchObject({ type: 'result', info: { status: 'paused' } });
    const n1 = h.progress().length;
    const steps1 = column(h.progress().map((p) => p.chunk), 'step');
    h.pump(); // the already queued callback finds the run paused
    expect(h.tasks).toHaveLength(0);
    expect(h.progress().length).toBe(n1);
    h.send({ type: 'play' });
    h.pump(4);
    h.send({ type: 'pause' });
    h.pump();
    const steps = column(h.progress().map((p) => p.chunk), 'step');
    expect(steps.length).toBeGreaterThan(steps1.length);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    expect(h.core.status).toBe('paused');
    h.core.dispose();
  });

  test('stop drops the run: pending steps get an error, later commands say there is no run', () => {
    const h = harness();
    h.send({ type: 'create', config: SMALL });
    const step = h.send({ type: 'step', n: 1000 });
    h.pump(1);
    const stop = h.send({ type: 'stop' });
    expect(onlyReply(h, step)).toMatchObject({ type: 'error', message: expect.stringContaining('stopped') });
    expect(onlyReply(h, stop)).toMatchObject({ type: 'result', info: { status: 'idle', numParams: 0 } });
    const n = h.progress().length;
    h.pump();
    expect(h.progress().length).toBe(n);
    for (const type of ['play', 'pause', 'step', 'setLr', 'setBeta', 'sharpness']) {
      const id = h.send({ type, n: 5, lr: 0.1, beta: 0.5, k: 1 });
      expect(onlyReply(h, id)).toEqual({ type: 'error', id, message: 'no run: send create first' });
    }
    const info = h.send({ type: 'info' });
    expect(onlyReply(h, info)).toMatchObject({ type: 'result', info: { status: 'idle' } });
    h.core.dispose();
  });

  test('a diverging run ends with status diverged (a result, not an error)', () => {
    const h = harness();
    h.send({ type: 'create', config: { ...SMALL, lr: 500 } });
    h.send({ type: 'play' });
    h.pump(1000);
    expect(h.tasks).toHaveLength(0);
    const prog = h.progress();
    expect(prog[prog.length - 1].info.status).toBe('diverged');
    expect(h.sent.some((s) => s.msg.type === 'error')).toBe(false);
    const step = h.send({ type: 'step', n: 10 });
    expect(onlyReply(h, step)).toMatchObject({ type: 'result', info: { status: 'diverged' } });
    h.core.dispose();
  });

  test('maxSteps: playing stops exactly there with status done', () => {
    const h = harness();
    h.send({ type: 'create', config: SMALL, maxSteps: 37 });
    h.send({ type: 'play' });
    h.pump(1000);
    const steps = column(h.progress().map((p) => p.chunk), 'step');
    expect(steps).toHaveLength(37);
    expect(h.core.status).toBe('done');
    const prog = h.progress();
    expect(prog[prog.length - 1].info).toMatchObject({ status: 'done', step: 37 });
    h.core.dispose();
  });

  test('sharpness and setBeta requests', () => {
    const h = harness();
    h.send({ type: 'create', config: { ...SMALL, opt: 'nesterov', beta: 0.5 } });
    const s = h.send({ type: 'sharpness', k: 3 });
    const r = onlyReply(h, s) as Extract<FromWorker, { type: 'result' }>;
    expect(r.values).toHaveLength(3);
    expect(r.hvps).toBeGreaterThan(0);
    expect(r.values![0]).toBeGreaterThan(1); // chebyshev T3 with this init: ~6.3
    const b = h.send({ type: 'setBeta', beta: 0.9 });
    expect(onlyReply(h, b)).toMatchObject({ info: { beta: 0.9, threshold: (2 + 2 * 0.9) / ((1 + 2 * 0.9) * 0.2) } });
    const bad = h.send({ type: 'setBeta', beta: 1 });
    expect(onlyReply(h, bad)).toMatchObject({ type: 'error', message: 'beta must be in [0, 1) and finite, got 1' });
    h.core.dispose();
  });

  test('invalid messages get an error reply (id -1 when the id is unreadable)', () => {
    const h = harness();
    h.send({ type: 'create', config: SMALL });
    const cases: [unknown, number, RegExp][] = [
      [null, -1, /must be an object/],
      ['play', -1, /must be an object/],
      [[1, 2], -1, /must be an object/],
      [{ type: 'play' }, -1, /numeric 'id'/],
      [{ type: 'play', id: 'x' }, -1, /numeric 'id'/],
      [{ type: 'jump', id: 50 }, 50, /unknown message type 'jump' \(expected one of create, play/],
      [{ id: 51 }, 51, /unknown message type undefined/],
      [{ type: 'step', id: 52 }, 52, /'n' must be an integer/],
      [{ type: 'step', id: 53, n: -4 }, 53, /'n' must be an integer in \[1, 10000000\], got -4/],
      [{ type: 'step', id: 54, n: 2.5 }, 54, /got 2.5/],
      [{ type: 'setLr', id: 55, lr: '0.1' }, 55, /'lr' must be a number, got '0.1'/],
      [{ type: 'setBeta', id: 56 }, 56, /'beta' must be a number, got undefined/],
      [{ type: 'sharpness', id: 57, k: 0 }, 57, /'k' must be an integer in \[1, 20\], got 0/],
      [{ type: 'create', id: 58 }, 58, /'config' must be an object, got undefined/],
      [{ type: 'create', id: 59, config: {}, maxSteps: -1 }, 59, /'maxSteps' must be a non-negative integer/],
    ];
    for (const [msg, id, re] of cases) {
      const n = h.sent.length;
      h.core.handle(msg);
      expect(h.sent.length, JSON.stringify(msg)).toBe(n + 1);
      const r = h.sent[n].msg;
      expect(r.type, JSON.stringify(msg)).toBe('error');
      expect((r as { id: number }).id).toBe(id);
      expect((r as { message: string }).message).toMatch(re);
    }
    // The run is untouched by all that.
    const info = h.send({ type: 'info' });
    expect(onlyReply(h, info)).toMatchObject({ info: { status: 'paused', step: 0 } });
    expect(parseToWorker({ type: 'stop', id: 3 })).toEqual({ ok: true, msg: { type: 'stop', id: 3 } });
    h.core.dispose();
  });

  test('with the real event loop, a setLr sent mid-run lands between two chunks', async () => {
    const sent: FromWorker[] = [];
    let core: ReturnType<typeof createWorkerCore> | null = null;
    let setLrSent = false;
    const done = new Promise<void>((resolve) => {
      core = createWorkerCore(mod, (msg) => {
        sent.push(msg);
        if (msg.type === 'progress' && !setLrSent) {
          setLrSent = true;
          // Like a message arriving from the page: handled by the event loop, not inside this chunk.
          setTimeout(() => core!.handle({ type: 'setLr', id: 3, lr: 0.05 }), 0);
        }
        if (msg.type === 'result' && msg.id === 2) resolve();
      });
    });
    core!.handle({ type: 'create', id: 1, config: { ...SMALL, dataset: 'gaussian-mixture', n: 300, d: 16, classes: 4, widths: [64, 64] } });
    core!.handle({ type: 'step', id: 2, n: 400 });
    await done;
    const at = sent.findIndex((m) => m.type === 'result' && m.id === 3);
    expect(at).toBeGreaterThan(0);
    const prog = (from: number, to: number) =>
      sent.slice(from, to).filter((m): m is Extract<FromWorker, { type: 'progress' }> => m.type === 'progress').map((m) => m.chunk);
    const before = prog(0, at);
    const after = prog(at, sent.length);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(column(before, 'lr').every((x) => x === 0.2)).toBe(true);
    expect(column(after, 'lr').every((x) => x === 0.05)).toBe(true);
    expect(column(after, 'threshold').every((x) => x === 40)).toBe(true);
    expect([...column(before, 'step'), ...column(after, 'step')]).toEqual(Array.from({ length: 400 }, (_, i) => i));
    core!.dispose();
  });

  test('startWorker: messages sent before the engine has loaded are queued, then answered in order', async () => {
    const posted: { msg: FromWorker; transfer?: Transferable[] }[] = [];
    const scope = {
      onmessage: null as ((ev: MessageEvent) => void) | null,
      postMessage(msg: unknown, options?: { transfer?: Transferable[] }) {
        posted.push({ msg: msg as FromWorker, transfer: options?.transfer });
      },
    };
    startWorker(scope);
    expect(scope.onmessage).not.toBeNull();
    scope.onmessage!({ data: { type: 'create', id: 1, config: SMALL } } as MessageEvent);
    scope.onmessage!({ data: { type: 'step', id: 2, n: 5 } } as MessageEvent);
    scope.onmessage!({ data: 'garbage' } as MessageEvent);
    await expect.poll(() => posted.some((p) => p.msg.type === 'result' && p.msg.id === 2), { timeout: 10_000 }).toBe(true);
    const kinds = posted.map((p) => (p.msg.type === 'progress' ? 'progress' : `${p.msg.type}#${p.msg.id}`));
    expect(kinds[0]).toBe('result#1');
    expect(kinds).toContain('error#-1');
    expect(kinds[kinds.length - 1]).toBe('result#2');
    const prog = posted.filter((p) => p.msg.type === 'progress');
    expect(prog.length).toBeGreaterThan(0);
    expect(prog.every((p) => (p.transfer?.length ?? 0) === 11)).toBe(true);
    scope.onmessage!({ data: { type: 'stop', id: 3 } } as MessageEvent);
  });
});
