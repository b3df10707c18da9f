// The worker's side of the data chart (web/src/engine/worker-core.ts), in Node against the
// real WASM module: a `fit` request is answered, then the dataset is sent once and a fit at
// once; while playing, fits go out at most one per `every` ms of the worker's clock, and one
// when the run stops; every: 0 stops them, and a new `create` does too (a pooled worker must
// not keep sending pictures nobody asked for); fits ride in transferred buffers.
// Run: npx vitest run --config tests/wasm/vitest.config.ts
import { beforeAll, expect, test } from 'vitest';
import type { EosModule } from 'eoslab-wasm';
import { loadEngine } from '../../web/src/engine/loader';
import { harness, SMALL, wrapModule } from './worker-harness';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

/** The real engine, each step costing 1 ms of the fake clock (so pacing and fit timing are exact). */
function timed(clock: { t: number }): EosModule {
  return wrapModule(mod, (h) => ({
    step(n: number) {
      const c = h.step(n);
      clock.t += c.rows;
      return c;
    },
    dataset: () => h.dataset(),
    fit: () => h.fit(),
  }));
}

test('fit request: result, then the dataset once and a fit at the current step', () => {
  const h = harness(mod);
  h.send({ type: 'create', config: SMALL });
  const id = h.send({ type: 'fit', every: 250 });
  const kinds = h.sent.map((s) => s.msg.type);
  expect(kinds.slice(-3)).toEqual(['result', 'dataset', 'fit']);
  expect(h.reply(id)).toMatchObject({ type: 'result' });
  const [ds] = h.of('dataset');
  expect(ds.data).toMatchObject({ kind: 'curve', n: 20, dIn: 1, dOut: 1, x0: -1, x1: 1 });
  const [f] = h.of('fit');
  expect(f.fit).toMatchObject({ step: 0, kind: 'curve', cells: ds.data.nx, dOut: 1 });
  expect(h.sent.find((s) => s.msg.type === 'fit')!.transfer).toEqual([f.fit.values.buffer]);
  // Asking again sends a fit, not the dataset again.
  h.send({ type: 'fit', every: 250 });
  expect(h.of('dataset')).toHaveLength(1);
  expect(h.of('fit')).toHaveLength(2);
  h.core.dispose();
});

test('while playing: at most one fit per `every` ms, one at the end; every 0 and create stop them', () => {
  const clock = { t: 0 };
  const h = harness(timed(clock), { clock });
  h.send({ type: 'create', config: SMALL });
  h.send({ type: 'fit', every: 250 });
  h.send({ type: 'play', speed: 0, until: 2000 });
  h.pump();
  const fits = h.of('fit').map((m) => m.fit.step);
  // 2,000 ms of steps: a fit at 0, then one per >= 250 ms (chunks of <= 15 ms), and the last at 2000.
  expect(fits[0]).toBe(0);
  expect(fits[fits.length - 1]).toBe(2000);
  expect(fits.length).toBeGreaterThanOrEqual(8);
  expect(fits.length).toBeLessThanOrEqual(10);
  for (let i = 1; i < fits.length - 1; i++) expect(fits[i] - fits[i - 1]).toBeGreaterThanOrEqual(250);
  // Each fit reports the loss of the last record before it.
  const last = h.of('fit').at(-1)!;
  expect(last.loss).toBeGreaterThan(0);
  expect(last.loss).toBeLessThan(1);

  h.send({ type: 'fit', every: 0 });
  const before = h.of('fit').length;
  h.send({ type: 'play', speed: 0, until: 3000 });
  h.pump();
  expect(h.progress().at(-1)!.info.step).toBe(3000);
  expect(h.of('fit')).toHaveLength(before);

  h.send({ type: 'fit', every: 250 });
  h.send({ type: 'create', config: SMALL });
  const after = h.of('fit').length;
  h.send({ type: 'play', speed: 0, until: 1000 });
  h.pump();
  expect(h.of('fit')).toHaveLength(after);
  h.core.dispose();
});
