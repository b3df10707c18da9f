// The engine worker (web/src/engine/worker-core.ts) with the real module: setBatch changes
// the mini-batch size of a running run and is refused with the engine's message; the
// held-out columns of a run with n_test ride on its progress chunks, their buffers
// transferred with the others.
import { beforeAll, describe, expect, test } from 'vitest';
import type { EosModule } from 'eoslab-wasm';
import { loadEngine } from '../../web/src/engine/loader';
import { harness, SMALL } from './worker-harness';

let mod: EosModule;
beforeAll(async () => {
  mod = await loadEngine();
});

describe('worker: mini-batches and held-out columns', () => {
  test('setBatch is answered with a result, a bad batch with the engine message', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: { ...SMALL, batch: 5 } });
    expect(h.reply(h.send({ type: 'setBatch', batch: 0 }))).toMatchObject({ type: 'result' });
    const bad = h.send({ type: 'setBatch', batch: 21 });
    expect(h.reply(bad)).toEqual({ type: 'error', id: bad, message: 'batch must be an integer in [0, n = 20] (0 = full batch), got 21' });
    h.core.dispose();
  });

  test('progress chunks of a run with n_test carry test_loss and test_accuracy, transferred', () => {
    const h = harness(mod);
    h.send({ type: 'create', config: { ...SMALL, batch: 4, n_test: 10 } });
    h.send({ type: 'play', speed: 0, until: 30 });
    h.pump(100);
    const chunks = h.progress();
    expect(chunks.length).toBeGreaterThan(0);
    const c = chunks[0].chunk;
    expect(c.test_loss).toBeInstanceOf(Float64Array);
    expect(Number.isFinite(c.test_loss![0]) && c.test_loss![0] > 0).toBe(true);
    expect(Number.isNaN(c.test_accuracy![0])).toBe(true); // regression
    const sent = h.sent.find((s) => s.msg.type === 'progress')!;
    expect(sent.transfer).toContain(c.test_loss!.buffer);
    expect(sent.transfer).toContain(c.test_accuracy!.buffer);
    h.core.dispose();
  });
});
