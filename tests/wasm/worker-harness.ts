// Shared by the worker tests: a worker core driven by a manual scheduler (and
// optionally a fake clock), and modules whose RunHandles are wrapped to add costs,
// failures or a progress hook around the real engine.
import { expect } from 'vitest';
import type { EosModule, RunHandle } from 'eoslab-wasm';
import type { FromWorker, RecordChunk } from '../../web/src/engine/protocol';
import { createWorkerCore, type WorkerCoreOptions } from '../../web/src/engine/worker-core';

export const SMALL = { dataset: 'chebyshev', degree: 3, n: 20, widths: [20], act: 'tanh', lr: 0.2, eig_every: 10 };

export type Progress = Extract<FromWorker, { type: 'progress' }>;
type Sent = { msg: FromWorker; transfer: Transferable[] };
type Task = { fn: () => void; due: number; seq: number };

/**
 * A core whose scheduled callbacks wait in a queue: pump() runs them in due order.
 * With a clock, pump() advances it to each callback's due time (sleeps cost time).
 */
export function harness(mod: EosModule, opts: WorkerCoreOptions & { clock?: { t: number } } = {}) {
  const sent: Sent[] = [];
  const tasks: Task[] = [];
  const clock = opts.clock;
  let seq = 0;
  const now = clock ? () => clock.t : undefined;
  const core = createWorkerCore(mod, (msg, transfer) => sent.push({ msg, transfer }), {
    now,
    schedule: (fn, ms) => tasks.push({ fn, due: (clock?.t ?? 0) + ms, seq: seq++ }),
    ...opts,
  });
  let nextId = 1;
  const h = {
    core,
    sent,
    tasks,
    /** Runs up to n queued callbacks (each may queue the next); returns how many ran. */
    pump(n = Infinity, untilMs = Infinity): number {
      let k = 0;
      while (tasks.length > 0 && k < n) {
        tasks.sort((a, b) => a.due - b.due || a.seq - b.seq);
        if (clock && tasks[0].due > untilMs) break;
        const t = tasks.shift()!;
        if (clock) clock.t = Math.max(clock.t, t.due);
        t.fn();
        k++;
      }
      return k;
    },
    send(msg: Record<string, unknown>): number {
      const id = nextId++;
      core.handle({ id, ...msg });
      return id;
    },
    progress(): Progress[] {
      return sent.map((s) => s.msg).filter((x): x is Progress => x.type === 'progress');
    },
    of<T extends FromWorker['type']>(type: T): Extract<FromWorker, { type: T }>[] {
      return sent.map((s) => s.msg).filter((x): x is Extract<FromWorker, { type: T }> => x.type === type);
    },
    replies(id: number): FromWorker[] {
      return sent.map((s) => s.msg).filter((x) => (x.type === 'result' || x.type === 'error') && x.id === id);
    },
    /** The one reply to request #id. */
    reply(id: number): FromWorker {
      const r = h.replies(id);
      expect(r, `replies to #${id}`).toHaveLength(1);
      return r[0];
    },
    steps(): number[] {
      return column(h.progress().map((p) => p.chunk), 'step');
    },
  };
  return h;
}

/** Concatenated column of some chunks. */
export function column(chunks: RecordChunk[], key: 'step' | 'lr' | 'threshold' | 'loss'): number[] {
  return chunks.flatMap((c) => Array.from(c[key]));
}

export function eigRows(c: RecordChunk): number {
  return Array.from(c.neig).filter((k) => k > 0).length;
}

/** The real module, with each RunHandle's methods overridable (extra may add setProgress). */
export function wrapModule(mod: EosModule, extra: (h: RunHandle) => Partial<RunHandle> & Record<string, unknown>): EosModule {
  const wrap = (h: RunHandle): RunHandle => ({
    step: (n) => h.step(n),
    setLr: (x) => h.setLr(x),
    setBeta: (x) => h.setBeta(x),
    sharpness: (k) => h.sharpness(k),
    info: () => h.info(),
    params: () => h.params(),
    changes: () => h.changes(),
    config: () => h.config(),
    delete: () => h.delete(),
    isDeleted: () => h.isDeleted(),
    ...extra(h),
  }) as RunHandle; // setProgress only when `extra` adds it: the worker must cope with handles without the hook
  return { ...mod, createRun: (...args: Parameters<EosModule['createRun']>) => wrap(mod.createRun(...args)) } as EosModule;
}

/** Every RunHandle.step advances the clock by a known cost: a ms per step + b ms per eigenvalue step. */
export function fakeCostModule(mod: EosModule, clock: { t: number }, a: number, b: number): EosModule {
  return wrapModule(mod, (h) => ({
    step(n: number) {
      const c = h.step(n);
      clock.t += a * c.rows + b * eigRows(c);
      return c;
    },
  }));
}
