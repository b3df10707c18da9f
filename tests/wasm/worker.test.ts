// The engine worker's protocol (web/src/engine/worker-core.ts and worker.ts) in Node
// against the real WASM module: create; play at speed 0 and at a finite speed
// (paced by the worker itself), with records posted per chunk in transferred
// buffers; `until` ending a run with status done and a later play continuing it;
// a live step-size change from the next chunk; pause/resume; stop; divergence;
// `error` replies naming the field of a malformed message.
// Failures and busy messages: worker-failures.test.ts.
// Run: npx vitest run --config tests/wasm/vitest.config.ts
import { beforeAll, describe, expect, test } from 'vitest';
import type { EosModule } from 'eoslab-wasm';
import type { FromWorker } from '../../web/src/engine/protocol';
import { parseToWorker } from '../../web/src/engine/parse';
import { createWorkerCore } from '../../web/src/engine/worker-core';
import { startWorker } from '../../web/src/engine/worker';
import { isNode, loadEngine } from '../../web/src/engine/loader';
import { column, eigRows, fakeCostModule, harness, SMALL } from './worker-harness';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

test('the loader finds the .wasm in Node and loads the SIMD build once', async () => {
  expect(isNode()).toBe(true);
  expect(mod.simdInUse()).toContain('SSE4.1');
  expect(await loadEngine()).toBe(mod);
});

describe('worker protocol', () => {
  test('create: result with the run info (paused); a bad config is an error with the engine message', () => {
    const h = harness(mod);
    const id = h.send({ type: 'create', config: SMALL });
    expect(h.reply(id)).toMatchObject({ type: 'result', info: { status: 'paused', step: 0, numParams: 61, lr: 0.2, threshold: 10 } });
    const bad = h.send({ type: 'create', config: { ...SMALL, lr: -1 } });
    expect(h.reply(bad)).toMatchObject({ type: 'error', id: bad, message: expect.stringMatching(/^lr .*-1/) });
    const typo = h.send({ type: 'create', config: { learning_rate: 0.1 } });
    expect(h.reply(typo)).toMatchObject({ type: 'error', message: expect.stringContaining('learning_rate') });
    // A failed create leaves no run behind.
    expect(h.reply(h.send({ type: 'info' }))).toMatchObject({ info: { status: 'idle' } });
    h.core.dispose();
  });

  test('play at speed 0 until 200: contiguous chunks in transferred copies, within budget, then done', () => {
    const clock = { t: 0 };
    const h = harness(fakeCostModule(mod, clock, 0.5, 5), { clock });
    h.send({ type: 'create', config: SMALL });
    const id = h.send({ type: 'play', speed: 0, until: 200 });
    expect(h.reply(id)).toMatchObject({ type: 'result', info: { status: 'playing', step: 0 } });
    expect(h.progress()).toHaveLength(0); // chunks go through the scheduler, not inside the request
    h.pump();
    expect(h.steps()).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const chunks = h.progress().map((p) => p.chunk);
    // Fake cost 0.5 ms/step + 5 ms per eigenvalue step: after a short warm-up every chunk fits 15 ms.
    const cost = chunks.map((c) => 0.5 * c.rows + 5 * eigRows(c));
    expect(chunks[0].rows).toBe(1);
    expect(Math.max(...cost.slice(4))).toBeLessThanOrEqual(15);
    expect(Math.max(...chunks.map((c) => c.rows))).toBeGreaterThanOrEqual(10);
    for (const s of h.sent.filter((x) => x.msg.type === 'progress')) {
      const c = (s.msg as Extract<FromWorker, { type: 'progress' }>).chunk;
      const arrays = [c.step, c.time, c.lr, c.beta, c.loss, c.accuracy, c.grad_norm, c.threshold, c.neig, c.hvps, c.eigs, c.raw!, c.u_proj!];
      arrays.push(c.pred_loss!, c.sigma2!); // the central flow's columns (NaN for this GD run)
      expect(new Set(s.transfer).size).toBe(15);
      expect(new Set([...arrays.map((a) => a.buffer), ...s.transfer]).size).toBe(15); // exactly the chunk's own buffers
      for (const a of arrays) {
        expect(a.buffer).not.toBe(mod.HEAP8.buffer); // copies, never views of the wasm heap
        expect(a.buffer.byteLength).toBe(a.byteLength);
      }
    }
    const last = h.progress().at(-1)!;
    expect(last.info).toMatchObject({ status: 'done', step: 200 });
    expect(last.stepsPerSecond).toBeGreaterThan(0);
    expect(h.core.status).toBe('done');
    expect(h.tasks).toHaveLength(0);
    h.core.dispose();
  });

  test('play at a finite speed: the worker sleeps between chunks and keeps to the speed', () => {
    const clock = { t: 0 };
    const h = harness(fakeCostModule(mod, clock, 0.05, 1), { clock });
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 500, until: 0 });
    h.pump(Infinity, 4000);
    const steps = h.steps().length;
    expect(steps).toBeGreaterThan(0.97 * 2000);
    expect(steps).toBeLessThan(1.03 * 2000);
    const rate = h.progress().at(-1)!.stepsPerSecond;
    expect(rate).toBeGreaterThan(0.95 * 500);
    expect(rate).toBeLessThan(1.05 * 500);
    // A faster play takes over at once (the pending sleep is cancelled).
    h.send({ type: 'play', speed: 2000, until: 0 });
    h.pump(Infinity, 6000);
    const more = h.steps().length - steps;
    expect(more).toBeGreaterThan(0.95 * 4000);
    expect(more).toBeLessThan(1.05 * 4000);
    h.core.dispose();
  });

  test('until: done exactly there; a play with a larger until continues; one at or below it is done at once', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 0, until: 37 });
    h.pump();
    expect(h.steps()).toHaveLength(37);
    expect(h.progress().at(-1)!.info).toMatchObject({ status: 'done', step: 37 });
    const again = h.send({ type: 'play', speed: 0, until: 30 });
    expect(h.reply(again)).toMatchObject({ type: 'result', info: { status: 'done', step: 37 } });
    expect(h.tasks).toHaveLength(0);
    const more = h.send({ type: 'play', speed: 0, until: 50 });
    expect(h.reply(more)).toMatchObject({ info: { status: 'playing' } });
    h.pump();
    expect(h.steps()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(h.core.status).toBe('done');
    // until 0 = never: it keeps going until paused.
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump(20);
    expect(h.core.status).toBe('playing');
    expect(h.steps().length).toBeGreaterThan(50);
    h.core.dispose();
  });

  test('a live lr change takes effect from the next chunk (lr and threshold in the records)', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 0, until: 300 });
    h.pump(3);
    const before = h.progress().map((p) => p.chunk);
    const stepsBefore = column(before, 'step').length;
    expect(stepsBefore).toBeGreaterThan(0);
    const id = h.send({ type: 'setLr', lr: 0.1 });
    expect(h.reply(id)).toMatchObject({ type: 'result', info: { lr: 0.1, threshold: 20, step: stepsBefore, status: 'playing' } });
    h.pump();
    const after = h.progress().map((p) => p.chunk).slice(before.length);
    expect(column(before, 'lr').every((x) => x === 0.2)).toBe(true);
    expect(column(after, 'lr').every((x) => x === 0.1)).toBe(true);
    expect(column(after, 'threshold').every((x) => x === 20)).toBe(true);
    expect(after[0].step[0]).toBe(stepsBefore); // the very next step, no gap
    expect(h.steps()).toHaveLength(300);
    // An invalid lr is refused with the engine's message and changes nothing.
    const bad = h.send({ type: 'setLr', lr: 0 });
    expect(h.reply(bad)).toMatchObject({ type: 'error', message: expect.stringMatching(/^lr .*0/) });
    expect(h.reply(h.send({ type: 'info' }))).toMatchObject({ info: { lr: 0.1 } });
    h.core.dispose();
  });

  test('setBeta changes β and the momentum threshold live', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: { ...SMALL, opt: 'nesterov', beta: 0.5 } });
    const b = h.send({ type: 'setBeta', beta: 0.9 });
    expect(h.reply(b)).toMatchObject({ info: { beta: 0.9, threshold: (2 + 2 * 0.9) / ((1 + 2 * 0.9) * 0.2) } });
    const bad = h.send({ type: 'setBeta', beta: 1 });
    expect(h.reply(bad)).toMatchObject({ type: 'error', message: expect.stringMatching(/^beta .*1/) });
    h.core.dispose();
  });

  test('pause and resume: no chunks while paused, records continue where they stopped', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump(5);
    const pause = h.send({ type: 'pause' });
    expect(h.reply(pause)).toMatchObject({ type: 'result', info: { status: 'paused' } });
    const n1 = h.progress().length;
    h.pump(); // the already queued callback finds the run paused
    expect(h.tasks).toHaveLength(0);
    expect(h.progress().length).toBe(n1);
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump(4);
    h.send({ type: 'pause' });
    h.pump();
    const steps = h.steps();
    expect(h.progress().length).toBeGreaterThan(n1);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    expect(h.core.status).toBe('paused');
    h.core.dispose();
  });

  test('stop drops the run: no more chunks, later commands say there is no run', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump(1);
    const stop = h.send({ type: 'stop' });
    expect(h.reply(stop)).toMatchObject({ type: 'result', info: { status: 'idle', numParams: 0 } });
    const n = h.progress().length;
    h.pump();
    expect(h.progress().length).toBe(n);
    for (const msg of [{ type: 'play', speed: 0, until: 0 }, { type: 'setLr', lr: 0.1 }, { type: 'setBeta', beta: 0.5 }]) {
      const id = h.send(msg);
      expect(h.reply(id)).toEqual({ type: 'error', id, message: 'no run: send create first' });
    }
    expect(h.reply(h.send({ type: 'pause' }))).toMatchObject({ type: 'result', info: { status: 'idle' } });
    h.core.dispose();
  });

  test('a diverging run ends with status diverged: a result of the science, not a failure', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: { ...SMALL, lr: 500 } });
    h.send({ type: 'play', speed: 0, until: 0 });
    h.pump(1000);
    expect(h.tasks).toHaveLength(0);
    expect(h.progress().at(-1)!.info.status).toBe('diverged');
    expect(h.of('error')).toHaveLength(0);
    expect(h.of('failed')).toHaveLength(0);
    const again = h.send({ type: 'play', speed: 0, until: 0 });
    expect(h.reply(again)).toMatchObject({ type: 'result', info: { status: 'diverged' } });
    expect(h.tasks).toHaveLength(0);
    h.core.dispose();
  });

  test('malformed messages get an error naming the field (id -1 when the id is unreadable)', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: SMALL });
    const cases: [unknown, number, RegExp][] = [
      [null, -1, /must be an object/],
      ['play', -1, /must be an object/],
      [[1, 2], -1, /must be an object/],
      [{ type: 'play' }, -1, /numeric 'id'/],
      [{ type: 'play', id: 'x' }, -1, /numeric 'id'/],
      [{ type: 'jump', id: 50 }, 50, /unknown message type 'jump' \(expected one of create, play, pause/],
      [{ type: 'step', id: 51, n: 5 }, 51, /unknown message type 'step'/],
      [{ id: 52 }, 52, /unknown message type undefined/],
      [{ type: 'play', id: 53, until: 0 }, 53, /^play: 'speed' must be a finite number >= 0.*got undefined/],
      [{ type: 'play', id: 54, speed: -1, until: 0 }, 54, /'speed'.*got -1/],
      [{ type: 'play', id: 55, speed: Infinity, until: 0 }, 55, /'speed'.*got Infinity/],
      [{ type: 'play', id: 56, speed: 0 }, 56, /^play: 'until' must be an integer in \[0, \d+\] \(0 = never\), got undefined/],
      [{ type: 'play', id: 57, speed: 0, until: 2.5 }, 57, /'until'.*got 2.5/],
      [{ type: 'setLr', id: 58, lr: '0.1' }, 58, /^setLr: 'lr' must be a number, got '0.1'/],
      [{ type: 'setBeta', id: 59 }, 59, /^setBeta: 'beta' must be a number, got undefined/],
      [{ type: 'create', id: 60 }, 60, /^create: 'config' must be an object, got undefined/],
      [{ type: 'create', id: 61, config: [1] }, 61, /'config' must be an object, got an array/],
    ];
    for (const [msg, id, re] of cases) {
      const n = h.sent.length;
      h.core.handle(msg);
      expect(h.sent.length, JSON.stringify(msg)).toBe(n + 1);
      expect(h.sent[n].msg, JSON.stringify(msg)).toMatchObject({ type: 'error', id, message: expect.stringMatching(re) });
    }
    // The run is untouched by all that.
    expect(h.reply(h.send({ type: 'info' }))).toMatchObject({ info: { status: 'paused', step: 0 } });
    expect(parseToWorker({ type: 'stop', id: 3, extra: 1 })).toEqual({ ok: true, msg: { type: 'stop', id: 3 } });
    expect(parseToWorker({ type: 'play', id: 4, speed: 10, until: 100 })).toEqual({ ok: true, msg: { type: 'play', id: 4, speed: 10, until: 100 } });
    h.core.dispose();
  });
});

describe('worker with the real event loop', () => {
  test('a setLr sent mid-run lands between two chunks', async () => {
    const sent: FromWorker[] = [];
    let setLrSent = false;
    let resolve = () => {};
    const done = new Promise<void>((r) => (resolve = r));
    const core = createWorkerCore(mod, (msg) => {
      sent.push(msg);
      if (msg.type === 'progress' && !setLrSent) {
        setLrSent = true;
        // Like a message arriving from the page: handled by the event loop, not inside this chunk.
        setTimeout(() => core.handle({ type: 'setLr', id: 3, lr: 0.05 }), 0);
      }
      if (msg.type === 'progress' && msg.info.status === 'done') resolve();
    });
    core.handle({ type: 'create', id: 1, config: { ...SMALL, dataset: 'gaussian-mixture', n: 300, d: 16, classes: 4, widths: [64, 64] } });
    core.handle({ type: 'play', id: 2, speed: 0, until: 400 });
    await done;
    const at = sent.findIndex((m) => m.type === 'result' && m.id === 3);
    const prog = (from: number, to: number) =>
      sent.slice(from, to).filter((m): m is Extract<FromWorker, { type: 'progress' }> => m.type === 'progress').map((m) => m.chunk);
    const before = prog(0, at);
    const after = prog(at, sent.length);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(column(before, 'lr').every((x) => x === 0.2)).toBe(true);
    expect(column(after, 'lr').every((x) => x === 0.05)).toBe(true);
    expect([...column(before, 'step'), ...column(after, 'step')]).toEqual(Array.from({ length: 400 }, (_, i) => i));
    core.dispose();
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
    scope.onmessage!({ data: { type: 'play', id: 2, speed: 0, until: 5 } } as MessageEvent);
    scope.onmessage!({ data: 'garbage' } as MessageEvent);
    await expect.poll(() => posted.some((p) => p.msg.type === 'progress' && p.msg.info.status === 'done'), { timeout: 10_000 }).toBe(true);
    const kinds = posted.map((p) => (p.msg.type === 'progress' ? 'progress' : p.msg.type === 'result' || p.msg.type === 'error' ? `${p.msg.type}#${p.msg.id}` : p.msg.type));
    expect(kinds.slice(0, 3)).toEqual(['result#1', 'result#2', 'error#-1']);
    const prog = posted.filter((p) => p.msg.type === 'progress');
    expect(prog.every((p) => (p.transfer?.length ?? 0) === 15)).toBe(true); // the chunk's 15 columns (raw, u_proj, pred_loss, sigma2 included)
    scope.onmessage!({ data: { type: 'stop', id: 3 } } as MessageEvent);
  });
});
