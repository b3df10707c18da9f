// The engine's threads on a page. The threaded twin of the module (pthreads on shared
// memory) needs a cross-origin isolated page; elsewhere the single-threaded module runs
// and every run has one thread. On an isolated page the threads are a page-wide budget,
// min(hardwareConcurrency, 8), shared by the runs that are playing, so that compared
// runs do not oversubscribe the cores: each playing run takes floor(budget / playing)
// threads (at least one), re-read before every chunk of steps. The count is a run-time
// setting only: the engine's results are bit-identical for any count.
//
// The page side (withThreadBudget) gives each engine worker a slot in one shared
// Int32Array; the worker sets its slot to 1 while its run plays (worker-core.ts), so
// any worker counts the playing runs with a few atomic loads, and a terminated
// worker's slot is cleared here.

import type { FromWorker, ToWorker } from './protocol';

/** The most threads a page gives the engine (and the default cap of `eos-run --threads`). */
export const MAX_THREADS = 8;
/** Engine workers that can hold a slot in the budget (more run on one thread each). */
export const MAX_SLOTS = 64;

interface WorkerLikeBase {
  postMessage(msg: ToWorker): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

/** True when this realm may use SharedArrayBuffer (a cross-origin isolated page or its workers). */
export function isolated(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

/** The page's thread budget: min(hardware threads, MAX_THREADS) when isolated, else 1. */
export function budgetTotal(): number {
  if (!isolated()) return 1;
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(Math.floor(hc) || 1, MAX_THREADS));
}

/** Threads for one playing run when `playing` runs share `total`. */
export function shareOf(total: number, playing: number): number {
  return Math.max(1, Math.floor(total / Math.max(1, playing)));
}

/** Number of set slots (playing runs). */
export function countPlaying(cells: Int32Array): number {
  let n = 0;
  for (let i = 0; i < cells.length; i++) if (Atomics.load(cells, i) !== 0) n++;
  return n;
}

/** What the page has seen of its runs' threads (read by browser tests and the benchmark). */
export interface ThreadStats {
  isolated: boolean;
  total: number;
  /** Which module the workers run: 'threaded' or 'single' (from their progress messages). */
  module: string;
  /** Threads of the last progress message, and the most seen in one. */
  lastInUse: number;
  maxInUse: number;
}

export const threadStats: ThreadStats = { isolated: false, total: 1, module: '', lastInUse: 0, maxInUse: 0 };

let cells: Int32Array | null = null;
const freeSlots: number[] = [];
let nextSlot = 0;
let nextId = -2_000_000;

/** Worker messages that answer nobody's request but this module's. */
class BudgetedWorker implements WorkerLikeBase {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;

  constructor(
    private readonly real: WorkerLikeBase,
    private readonly slot: number,
    private readonly replyId: number,
  ) {
    real.onmessage = (ev) => {
      const m = ev.data;
      if ((m.type === 'result' || m.type === 'error') && m.id === this.replyId) return;
      if (m.type === 'progress' && typeof m.threads === 'number') {
        threadStats.lastInUse = m.threads;
        threadStats.maxInUse = Math.max(threadStats.maxInUse, m.threads);
        if (m.module) threadStats.module = m.module;
      }
      this.onmessage?.(ev);
    };
    real.onerror = (ev) => this.onerror?.(ev);
  }

  postMessage(msg: ToWorker): void {
    this.real.postMessage(msg);
  }

  terminate(): void {
    if (cells && this.slot >= 0) {
      Atomics.store(cells, this.slot, 0);
      freeSlots.push(this.slot);
    }
    this.real.terminate();
  }
}

/**
 * Wraps a factory of engine workers so that, on an isolated page, each worker joins the
 * page-wide thread budget (a `threads` message right after creation). Elsewhere the
 * workers are left alone (one thread each); either way their progress fills threadStats.
 */
export function withThreadBudget<W extends WorkerLikeBase>(factory: () => W): () => W {
  const total = budgetTotal();
  threadStats.isolated = isolated();
  threadStats.total = total;
  return () => {
    const real = factory();
    if (total <= 1) return new BudgetedWorker(real, -1, NaN) as unknown as W;
    cells ??= new Int32Array(new SharedArrayBuffer(4 * MAX_SLOTS));
    const slot = freeSlots.pop() ?? (nextSlot < MAX_SLOTS ? nextSlot++ : -1);
    if (slot >= 0) Atomics.store(cells, slot, 0);
    const id = nextId--;
    const w = new BudgetedWorker(real, slot, id);
    real.postMessage({ type: 'threads', id, budget: cells.buffer as SharedArrayBuffer, slot, total });
    return w as unknown as W;
  };
}
