// Unit tests of the <eos-lab> worker pool (web/src/element/pool.ts) with the fake engine
// worker: a released worker is reused (no new worker on remount), its old owner's late
// replies never reach the new owner (even one carrying the same message id), broken
// workers and workers handed back inside a long engine call are not reused, and dispose
// terminates everything.
import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../web/src/engine/protocol';
import { ENGINE_LOAD_FAILED, WorkerPool } from '../../web/src/element/pool';
import { RunManager } from '../../web/src/runs/manager';
import { defaultState } from '../../web/src/state/schema';
import { fakeFactory } from './fake-worker';

function collect(w: { onmessage: ((ev: MessageEvent<FromWorker>) => void) | null }): FromWorker[] {
  const got: FromWorker[] = [];
  w.onmessage = (ev) => got.push(ev.data);
  return got;
}

describe('WorkerPool', () => {
  it('reuses a released worker and drops the old owner’s traffic until the sentinel', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    const a = pool.get();
    const gotA = collect(a);
    a.postMessage({ type: 'create', id: 1, config: {} });
    f.flushAll();
    expect(gotA.map((m) => m.type)).toEqual(['result']);
    // In flight when the owner lets go: a play (result id 2) and a chunk.
    a.postMessage({ type: 'play', id: 2, speed: 0, until: 0 });
    f.made[0].produce(5);
    a.terminate();
    expect(f.made).toHaveLength(1);
    expect(pool.idle).toBe(1);
    const b = pool.get();
    expect(f.made).toHaveLength(1); // no new worker
    const gotB = collect(b);
    // The new owner starts its own numbering at 2 as well: the stale result id 2 must not reach it.
    b.postMessage({ type: 'create', id: 2, config: { lr: 0.1 } });
    f.flushAll();
    expect(gotB).toHaveLength(1);
    expect(gotB[0]).toMatchObject({ type: 'result', id: 2 });
    expect((gotB[0] as { info: { step: number; lr: number } }).info).toMatchObject({ step: 0, lr: 0.1 });
    expect(gotA).toHaveLength(1); // nothing more to the old owner either
    const sentinel = f.made[0].received.find((m) => m.type === 'info');
    expect(sentinel && sentinel.id < 0).toBe(true);
  });

  it('a second lease while the first is held makes a second worker', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    pool.get();
    pool.get();
    expect(f.made).toHaveLength(2);
    expect(pool.created).toBe(2);
    expect(pool.idle).toBe(0);
  });

  it('a worker still loading is reused; one whose engine failed to load is terminated', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    const a = pool.get(); // never answered yet: still loading
    a.terminate();
    expect(f.made[0].terminated).toBe(false);
    expect(pool.idle).toBe(1);
    const b = pool.get();
    expect(f.made).toHaveLength(1);
    f.made[0].inject({ type: 'error', id: 3, message: `${ENGINE_LOAD_FAILED}: CompileError` });
    f.flushAll(); // the sentinel reply and the failure notice
    b.terminate();
    expect(f.made[0].terminated).toBe(true);
    expect(pool.size).toBe(0);
    pool.get();
    expect(f.made).toHaveLength(2);
  });

  it('onerror is forwarded and the worker is dropped on release', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    const a = pool.get();
    let err = '';
    a.onerror = (ev) => (err = ev.message);
    a.postMessage({ type: 'create', id: 1, config: {} });
    f.flushAll();
    f.made[0].onerror?.({ message: 'boom' } as ErrorEvent);
    expect(err).toBe('boom');
    a.terminate();
    expect(f.made[0].terminated).toBe(true);
  });

  it('a worker handed back inside a long engine call is terminated, not reused', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    const a = pool.get();
    collect(a);
    a.postMessage({ type: 'create', id: 1, config: {} });
    f.flushAll();
    f.made[0].inject({ type: 'busy', what: 'eigs', step: 0, k: 10, hvps: 40, ms: 1200 });
    f.flushAll();
    f.made[0].hung = true;
    a.terminate();
    expect(f.made[0].terminated).toBe(true);
    pool.get();
    expect(f.made).toHaveLength(2);
  });

  it('a leased handle refuses messages after terminate; dispose terminates all', () => {
    const f = fakeFactory();
    const pool = new WorkerPool(f.create);
    const a = pool.get();
    a.postMessage({ type: 'create', id: 1, config: {} });
    f.flushAll();
    a.terminate();
    expect(() => a.postMessage({ type: 'info', id: 9 })).toThrow(/released/);
    pool.get();
    pool.dispose();
    expect(f.made.every((w) => w.terminated)).toBe(true);
    expect(() => pool.get()).toThrow(/disposed/);
  });

  it('a RunManager remounted on the pool trains on the same worker with fresh records', () => {
    const f = fakeFactory({ chunkRows: 10 });
    const pool = new WorkerPool(f.create);
    const s = defaultState();
    s.speed = 0;
    const m1 = new RunManager({ createWorker: pool.get });
    m1.load(s);
    f.flushAll();
    m1.play();
    f.run(30);
    expect(m1.runs[0].records.rows).toBe(30);
    f.made[0].produce(20); // chunks in flight when the manager goes away
    m1.dispose();
    const m2 = new RunManager({ createWorker: pool.get });
    const s2 = { ...s, lr: 0.1 };
    m2.load(s2);
    f.flushAll();
    expect(f.made).toHaveLength(1);
    expect(m2.runs[0].status).toBe('paused');
    expect(m2.runs[0].records.rows).toBe(0); // nothing of the old run leaked in
    m2.play();
    f.run(10);
    const rec = m2.runs[0].records;
    expect(rec.rows).toBe(10);
    expect(rec.cols.step.get(0)).toBe(0);
    expect(rec.cols.lr.get(0)).toBe(0.1);
  });
});
