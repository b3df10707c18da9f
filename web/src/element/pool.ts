// A per-element pool of engine workers. The run manager terminates a run's worker when
// the run is dropped (e.g. when an <eos-lab> re-applies changed attributes and
// remounts); through this pool "terminate" hands the worker back instead, so the next
// mount reuses it: no new worker script or .wasm fetch (re-configuring works offline
// once loaded) and no second module instantiation (re-applying is instant).
//
// A returned worker may still have answers of its old owner in flight (progress chunks,
// results whose ids the new owner could reuse, since every RunManager numbers its
// messages from 1). So on release the pool posts a sentinel `info` request with its own
// negative id and drops every message until the sentinel's reply: the worker answers in
// order (protocol.ts), so whatever follows belongs to the new owner. A worker handed back
// in the middle of a long engine call (it said `busy` since its last chunk) would make
// the next owner wait for that call: it is terminated instead, so Reset and × never wait.

import type { FromWorker, ToWorker } from '../engine/protocol';
import type { WorkerFactory, WorkerLike } from '../runs/run';

interface Slot {
  real: WorkerLike;
  /** Sentinel id awaited before messages are passed on again, or null. */
  draining: number | null;
  /** The worker errored or its engine failed to load: not reused. */
  failed: boolean;
  /** Inside a long engine call: said `busy` since its last chunk or answer. */
  busy: boolean;
  lease: Lease | null;
}

/** The WorkerLike handed to a run manager: forwards to a pooled worker until "terminated". */
class Lease implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  private slot: Slot | null;
  private readonly pool: WorkerPool;

  constructor(pool: WorkerPool, slot: Slot) {
    this.pool = pool;
    this.slot = slot;
  }

  postMessage(msg: ToWorker): void {
    if (!this.slot) throw new Error('posted to a released worker');
    this.slot.real.postMessage(msg);
  }

  terminate(): void {
    const s = this.slot;
    if (!s) return;
    this.slot = null;
    this.onmessage = null;
    this.onerror = null;
    this.pool.release(s);
  }
}

let nextSentinel = -1000;
/** Prefix of the worker's answers after its WebAssembly module failed to load. */
export const ENGINE_LOAD_FAILED = 'the engine failed to load';

export class WorkerPool {
  private readonly create: WorkerFactory;
  private readonly slots: Slot[] = [];
  private disposed = false;
  /** Workers created so far (for tests and the element's status). */
  created = 0;

  constructor(create: WorkerFactory) {
    this.create = create;
  }

  /** A worker for a run: an idle pooled one if any, else a new one. Throws like the factory. */
  get: WorkerFactory = () => {
    if (this.disposed) throw new Error('the worker pool was disposed');
    let slot = this.slots.find((s) => s.lease === null && !s.failed);
    if (!slot) {
      const real = this.create();
      this.created++;
      const s: Slot = { real, draining: null, failed: false, busy: false, lease: null };
      real.onmessage = (ev) => this.onMessage(s, ev);
      real.onerror = (ev) => {
        s.failed = true;
        s.lease?.onerror?.(ev);
      };
      this.slots.push(s);
      slot = s;
    }
    const lease = new Lease(this, slot);
    slot.lease = lease;
    return lease;
  };

  /** Workers idle in the pool. */
  get idle(): number {
    return this.slots.filter((s) => s.lease === null).length;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Called by Lease.terminate(). */
  release(s: Slot): void {
    s.lease = null;
    // A worker still loading its engine is kept: messages queue in it until it is ready.
    if (this.disposed || s.failed || s.busy) {
      this.drop(s);
      return;
    }
    const id = nextSentinel--;
    s.draining = id;
    try {
      s.real.postMessage({ type: 'info', id });
    } catch {
      this.drop(s);
    }
  }

  /** Terminates every worker (the element left the page). */
  dispose(): void {
    this.disposed = true;
    for (const s of [...this.slots]) this.drop(s);
  }

  private drop(s: Slot): void {
    const i = this.slots.indexOf(s);
    if (i >= 0) this.slots.splice(i, 1);
    s.real.onmessage = null;
    s.real.onerror = null;
    s.real.terminate();
  }

  private onMessage(s: Slot, ev: MessageEvent<FromWorker>): void {
    const m = ev.data;
    // engine/worker.ts startWorker() answers every request this way when the module failed to load.
    if (m.type === 'error' && m.message.startsWith(ENGINE_LOAD_FAILED)) s.failed = true;
    if (m.type === 'busy') s.busy = true;
    else if (m.type === 'progress' || m.type === 'result' || m.type === 'error' || m.type === 'failed') s.busy = false;
    if (s.draining !== null) {
      if ((m.type === 'result' || m.type === 'error') && m.id === s.draining) s.draining = null;
      return; // the old owner's traffic, or the sentinel's own reply
    }
    s.lease?.onmessage?.(ev);
  }
}
