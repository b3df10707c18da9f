// A fake engine worker for unit tests of the run manager: speaks the real protocol
// (web/src/engine/protocol.ts) synchronously (answers are delivered when the test
// calls flush()), with a toy "training" whose numbers are simple closed forms:
//   loss(t)      = L0 · exp(−t/200)   (or ×1.5 per step when lr > divergeLr → diverged)
//   sharpness(t) = min(s0 + t·0.01, 1.02·threshold)   every eig_every steps
// so tests can check exactly which rows, η values and eigenvalues arrive.

import type { EngineConfig, FromWorker, RecordChunk, RunInfo, RunStatus, ToWorker } from '../../web/src/engine/protocol';
import type { WorkerLike } from '../../web/src/runs/manager';
import { threshold } from '../../web/src/state/schema';

export interface FakeOptions {
  /** η above which the run diverges. */
  divergeLr?: number;
  /** Rows per progress chunk. */
  chunkRows?: number;
  /** Reject create with this message. */
  createError?: string;
}

export class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  readonly received: ToWorker[] = [];
  terminated = false;
  private outbox: FromWorker[] = [];
  private cfg: Partial<EngineConfig> | null = null;
  private step = 0;
  private time = 0;
  private lr = 0;
  private beta = 0;
  private loss = 1;
  private status: RunStatus = 'idle';
  private readonly opts: FakeOptions;

  constructor(opts: FakeOptions = {}) {
    this.opts = opts;
  }

  postMessage(msg: ToWorker): void {
    if (this.terminated) throw new Error('posted to a terminated worker');
    this.received.push(msg);
    this.handle(msg);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers queued answers (like the event loop would). Returns how many. */
  flush(): number {
    let n = 0;
    while (this.outbox.length) {
      const m = this.outbox.shift()!;
      this.onmessage?.({ data: m } as MessageEvent<FromWorker>);
      n++;
    }
    return n;
  }

  /** Queue a message as if the worker sent it (e.g. a stale progress chunk). */
  inject(m: FromWorker): void {
    this.outbox.push(m);
  }

  get pending(): number {
    return this.outbox.length;
  }

  info(): RunInfo {
    const c = this.cfg ?? {};
    return {
      numParams: 61,
      step: this.step,
      time: this.time,
      lr: this.lr,
      beta: this.beta,
      threshold: threshold(c.opt ?? 'gd', this.lr, this.beta),
      status: this.status,
    };
  }

  private handle(m: ToWorker): void {
    switch (m.type) {
      case 'create':
        if (this.opts.createError) {
          this.outbox.push({ type: 'error', id: m.id, message: this.opts.createError });
          return;
        }
        this.cfg = { ...m.config };
        this.step = 0;
        this.time = 0;
        this.lr = m.config.lr ?? 0.2;
        this.beta = m.config.beta ?? 0.9;
        this.loss = 1;
        this.status = 'paused';
        this.outbox.push({ type: 'result', id: m.id, info: this.info() });
        return;
      case 'step': {
        const chunk = this.opts.chunkRows ?? 1e9;
        let left = m.n;
        while (left > 0 && this.status !== 'diverged') {
          const rows = Math.min(left, chunk);
          this.outbox.push({ type: 'progress', chunk: this.advance(rows), info: this.info(), stepsPerSecond: 5000 });
          left -= rows;
        }
        this.outbox.push({ type: 'result', id: m.id, info: this.info() });
        return;
      }
      case 'setLr':
        this.lr = m.lr;
        this.outbox.push({ type: 'result', id: m.id, info: this.info() });
        return;
      case 'setBeta':
        this.beta = m.beta;
        this.outbox.push({ type: 'result', id: m.id, info: this.info() });
        return;
      case 'play':
      case 'pause':
      case 'info':
      case 'stop':
        this.outbox.push({ type: 'result', id: m.id, info: this.info() });
        return;
      case 'sharpness':
        this.outbox.push({ type: 'result', id: m.id, info: this.info(), values: [1], hvps: 3 });
        return;
    }
  }

  private advance(rows: number): RecordChunk {
    const c = this.cfg ?? {};
    const k = c.neigs ?? 1;
    const every = c.eig_every ?? 10;
    const diverges = this.opts.divergeLr !== undefined && this.lr > this.opts.divergeLr;
    const out: RecordChunk = {
      rows: 0,
      k,
      step: new Float64Array(rows),
      time: new Float64Array(rows),
      lr: new Float64Array(rows),
      beta: new Float64Array(rows),
      loss: new Float64Array(rows),
      accuracy: new Float64Array(rows).fill(NaN),
      grad_norm: new Float64Array(rows),
      threshold: new Float64Array(rows),
      neig: new Int32Array(rows),
      hvps: new Int32Array(rows),
      eigs: new Float64Array(rows * k).fill(NaN),
    };
    let i = 0;
    for (; i < rows; i++) {
      const t = this.step;
      const thr = threshold(c.opt ?? 'gd', this.lr, this.beta);
      this.loss = diverges ? this.loss * 1e3 : Math.exp(-t / 200);
      out.step[i] = t;
      out.time[i] = this.time;
      out.lr[i] = this.lr;
      out.beta[i] = this.beta;
      out.loss[i] = this.loss;
      out.grad_norm[i] = 1;
      out.threshold[i] = thr;
      if (every > 0 && t % every === 0) {
        out.neig[i] = k;
        out.hvps[i] = 5;
        const s = Number.isFinite(thr) ? Math.min(5 + t * 0.01, 1.02 * thr) : 5 + t * 0.01;
        for (let j = 0; j < k; j++) out.eigs[i * k + j] = s / (j + 1);
      }
      if (diverges && this.loss > 1e5) {
        this.status = 'diverged';
        i++;
        break;
      }
      this.step++;
      this.time += c.opt === 'flow' ? 0.1 : this.lr;
    }
    out.rows = i;
    return out;
  }
}

/** A factory that records every worker it makes. */
export function fakeFactory(opts: FakeOptions = {}) {
  const made: FakeWorker[] = [];
  return {
    made,
    create: () => {
      const w = new FakeWorker(opts);
      made.push(w);
      return w;
    },
    /** Flushes every live worker until quiet. */
    flushAll(): void {
      for (let guard = 0; guard < 100; guard++) {
        let n = 0;
        for (const w of made) if (!w.terminated) n += w.flush();
        if (n === 0) return;
      }
    },
  };
}
