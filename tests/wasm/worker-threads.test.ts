// The page-wide thread budget in the engine worker (web/src/engine/threads.ts and
// worker-core.ts), in Node against the real single-threaded module with RunHandles
// wrapped to record setThreads: a worker that joined the budget marks its slot while
// its run plays (and clears it on pause and stop), asks for floor(budget / playing runs)
// threads before each chunk, and reports the threads in use on every progress message;
// a malformed `threads` message is an error naming the field.
import { beforeAll, describe, expect, test } from 'vitest';
import type { EosModule } from 'eoslab-wasm';
import { loadEngine } from '../../web/src/engine/loader';
import { MAX_SLOTS, countPlaying, shareOf, threadStats, withThreadBudget } from '../../web/src/engine/threads';
import { harness, SMALL, wrapModule } from './worker-harness';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

test('shares: floor(budget / playing), at least one thread', () => {
  expect(shareOf(8, 1)).toBe(8);
  expect(shareOf(8, 3)).toBe(2);
  expect(shareOf(2, 3)).toBe(1);
  expect(shareOf(4, 0)).toBe(4);
  const cells = new Int32Array(new SharedArrayBuffer(4 * MAX_SLOTS));
  cells[3] = 1;
  cells[60] = 1;
  expect(countPlaying(cells)).toBe(2);
});

test('without cross-origin isolation (Node here) a worker gets no threads message; its progress still counts', () => {
  const posted: unknown[] = [];
  let terminated = 0;
  const real = {
    postMessage: (m: unknown) => posted.push(m),
    terminate: () => terminated++,
    onmessage: null as ((ev: MessageEvent) => void) | null,
    onerror: null,
  };
  const w = withThreadBudget(() => real)();
  expect(posted).toEqual([]);
  const got: unknown[] = [];
  w.onmessage = (ev) => got.push(ev.data);
  const progress = { type: 'progress', threads: 1, module: 'single' };
  real.onmessage?.({ data: progress } as MessageEvent);
  expect(got).toEqual([progress]);
  expect(threadStats).toMatchObject({ isolated: false, total: 1, module: 'single', lastInUse: 1 });
  w.postMessage({ type: 'info', id: 1 });
  expect(posted).toEqual([{ type: 'info', id: 1 }]);
  w.terminate();
  expect(terminated).toBe(1);
});

describe('a worker in the budget', () => {
  test('marks its slot while playing, asks for its share before each chunk, reports threads in use', () => {
    const asked: number[] = [];
    const m = wrapModule(mod, () => ({
      setThreads(n: number) {
        asked.push(n);
        return Math.min(n, 3); // as a threaded module with a pool of 2
      },
    }));
    const cells = new Int32Array(new SharedArrayBuffer(4 * MAX_SLOTS));
    const h = harness(m);
    expect(h.reply(h.send({ type: 'threads', budget: cells.buffer, slot: 5, total: 4 }))).toMatchObject({ type: 'result' });
    h.reply(h.send({ type: 'create', config: { ...SMALL, n: 100 } }));
    expect(cells[5]).toBe(0);
    h.reply(h.send({ type: 'play', speed: 0, until: 0 }));
    expect(cells[5]).toBe(1);
    h.pump(1);
    expect(asked).toEqual([4]); // alone: the whole budget
    expect(h.progress().at(-1)).toMatchObject({ threads: 3, module: 'single' });
    cells[9] = 1; // another run starts playing
    h.pump(1);
    expect(asked).toEqual([4, 2]);
    expect(h.progress().at(-1)?.threads).toBe(2);
    h.pump(1);
    expect(asked).toEqual([4, 2]); // unchanged share: no call
    h.reply(h.send({ type: 'pause' }));
    expect(cells[5]).toBe(0);
    h.reply(h.send({ type: 'play', speed: 0, until: 0 }));
    expect(cells[5]).toBe(1);
    h.reply(h.send({ type: 'stop' }));
    expect(cells[5]).toBe(0);
    h.core.dispose();
  });

  test('without a budget the worker never changes the thread count (one thread)', () => {
    const asked: number[] = [];
    const m = wrapModule(mod, () => ({ setThreads: (n: number) => (asked.push(n), n) }));
    const h = harness(m);
    h.reply(h.send({ type: 'create', config: SMALL }));
    h.reply(h.send({ type: 'play', speed: 0, until: 30 }));
    h.pump(5);
    expect(asked).toEqual([]);
    expect(h.progress()[0]).toMatchObject({ threads: 1, module: 'single' });
    h.core.dispose();
  });

  test('a malformed threads message is an error naming the field', () => {
    const h = harness(mod);
    const sab = new SharedArrayBuffer(4 * MAX_SLOTS);
    expect(h.reply(h.send({ type: 'threads', budget: new ArrayBuffer(8), slot: 0, total: 2 }))).toMatchObject({
      type: 'error', message: "threads: 'budget' must be a SharedArrayBuffer, got an object",
    });
    expect(h.reply(h.send({ type: 'threads', budget: sab, slot: MAX_SLOTS, total: 2 }))).toMatchObject({
      type: 'error', message: `threads: 'slot' must be an integer in [-1, ${MAX_SLOTS - 1}], got ${MAX_SLOTS}`,
    });
    expect(h.reply(h.send({ type: 'threads', budget: sab, slot: 0, total: 0 }))).toMatchObject({
      type: 'error', message: "threads: 'total' must be an integer in [1, 64], got 0",
    });
    h.core.dispose();
  });
});
