// A fake engine worker for unit tests of the run manager: speaks protocol v2
// (web/src/engine/protocol.ts) synchronously. Answers are queued and delivered when the
// test calls flush(); a playing run advances only when the test calls produce(n), so
// tests decide exactly which chunks exist. Its "training" is a closed form:
//   loss(t)      = exp(−t/200)   (or ×1e3 per step when lr > divergeLr → diverged)
//   sharpness(t) = min(5 + t·0.01, 1.02·threshold)   every eig_every steps
// and the threshold is the fake engine's own (2/η for GD, (2+2β)/η for heavy ball).

import type { EngineConfigInput, FromWorker, RecordChunk, RunInfo, RunStatus, ToWorker } from '../../web/src/engine/protocol';
import type { WorkerLike } from '../../web/src/runs/run';

export interface FakeOptions {
  /** η above which the run diverges. */
  divergeLr?: number;
  /** Rows per progress chunk. */
  chunkRows?: number;
  /** Reject create with this message. */
  createError?: string;
}

/** The fake engine's stability threshold. */
function fakeThreshold(opt: string, lr: number, beta: number): number {
  if (opt === 'gd') return 2 / lr;
  if (opt === 'polyak') return (2 + 2 * beta) / lr;
  if (opt === 'nesterov') return (2 + 2 * beta) / ((1 + 2 * beta) * lr);
  return NaN;
}

export class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  readonly received: ToWorker[] = [];
  terminated = false;
  /** Inside a long engine call: requests are only queued (answered by unhang()). */
  hung = false;
  private held: ToWorker[] = [];
  private outbox: FromWorker[] = [];
  private cfg: EngineConfigInput | null = null;
  private step = 0;
  private time = 0;
  private lr = 0;
  private beta = 0;
  private loss = 1;
  private until = 0;
  private status: RunStatus = 'idle';
  private readonly opts: FakeOptions;

  constructor(opts: FakeOptions = {}) {
    this.opts = opts;
  }

  postMessage(msg: ToWorker): void {
    if (this.terminated) throw new Error('posted to a terminated worker');
    this.received.push(msg);
    if (this.hung) this.held.push(msg);
    else this.handle(msg);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers queued answers (like the event loop would). Returns how many. */
  flush(): number {
    let n = 0;
    while (this.outbox.length && !this.terminated) {
      const m = this.outbox.shift()!;
      this.onmessage?.({ data: m } as MessageEvent<FromWorker>);
      n++;
    }
    return n;
  }

  /** Queue a message as if the worker sent it (a stale chunk, a busy report, a failure). */
  inject(m: FromWorker): void {
    this.outbox.push(m);
  }

  /** Ends the long call: the held requests are handled. */
  unhang(): void {
    this.hung = false;
    for (const m of this.held.splice(0)) this.handle(m);
  }

  /** Lets a playing run compute up to n more steps (stopping at `until`), as chunks. */
  produce(n: number): void {
    if (this.status !== 'playing' || this.hung) return;
    let left = this.until > 0 ? Math.min(n, this.until - this.step) : n;
    const chunk = this.opts.chunkRows ?? 1e9;
    while (left > 0 && this.status === 'playing') {
      const rows = Math.min(left, chunk);
      const c = this.advance(rows);
      left -= rows;
      if (this.until > 0 && this.step >= this.until && this.status === 'playing') this.status = 'done';
      this.outbox.push({ type: 'progress', chunk: c, info: this.info(), stepsPerSecond: 5000 });
    }
  }

  info(): RunInfo {
    const c = this.cfg ?? {};
    return {
      numParams: 61, step: this.step, time: this.time, lr: this.lr, beta: this.beta,
      threshold: fakeThreshold(c.opt ?? 'gd', this.lr, this.beta), status: this.status, wasmBytes: 16 << 20,
    };
  }

  get config(): EngineConfigInput | null {
    return this.cfg;
  }

  private answer(id: number): void {
    this.outbox.push({ type: 'result', id, info: this.info() });
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
        this.until = 0;
        this.status = 'paused';
        this.answer(m.id);
        return;
      case 'play':
        this.until = m.until;
        if (this.status === 'paused' || (this.status === 'done' && (m.until === 0 || m.until > this.step))) {
          this.status = m.until > 0 && this.step >= m.until ? 'done' : 'playing';
        }
        this.answer(m.id);
        return;
      case 'pause':
        if (this.status === 'playing') this.status = 'paused';
        this.answer(m.id);
        return;
      case 'setLr':
        this.lr = m.lr;
        this.answer(m.id);
        return;
      case 'setBeta':
        this.beta = m.beta;
        this.answer(m.id);
        return;
      case 'stop':
        this.status = 'idle';
        this.answer(m.id);
        return;
      case 'info':
        this.answer(m.id);
        return;
      case 'fit': // the data chart's reports: answered; tests inject the dataset and fits they need
        this.answer(m.id);
        return;
    }
  }

  private advance(rows: number): RecordChunk {
    const c = this.cfg ?? {};
    const k = c.neigs ?? 1;
    const every = c.eig_every ?? 10;
    const diverges = this.opts.divergeLr !== undefined && this.lr > this.opts.divergeLr;
    const out: RecordChunk = {
      rows: 0, k,
      step: new Float64Array(rows), time: new Float64Array(rows), lr: new Float64Array(rows), beta: new Float64Array(rows),
      loss: new Float64Array(rows), accuracy: new Float64Array(rows).fill(NaN), grad_norm: new Float64Array(rows),
      threshold: new Float64Array(rows), neig: new Int32Array(rows), hvps: new Int32Array(rows),
      eigs: new Float64Array(rows * k).fill(NaN),
    };
    let i = 0;
    for (; i < rows; i++) {
      const t = this.step;
      const thr = fakeThreshold(c.opt ?? 'gd', this.lr, this.beta);
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
  const live = () => made.filter((w) => !w.terminated);
  return {
    made,
    live,
    create: () => {
      const w = new FakeWorker(opts);
      made.push(w);
      return w;
    },
    /** Flushes every live worker until quiet. */
    flushAll(): void {
      for (let guard = 0; guard < 100; guard++) {
        let n = 0;
        for (const w of live()) n += w.flush();
        if (n === 0) return;
      }
    },
    /** Every live playing worker computes n steps; then everything is delivered. */
    run(n: number): void {
      this.flushAll();
      for (const w of live()) w.produce(n);
      this.flushAll();
    },
  };
}
