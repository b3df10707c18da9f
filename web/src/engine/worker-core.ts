// The engine worker's logic (one run per worker), implementing protocol.ts. It is a
// plain factory, createWorkerCore(module, post), so Node tests drive it without a
// browser; worker.ts wires it to the worker's `self`.
//
// While playing, the run advances in chunks planned by ChunkPlanner; each chunk's
// records go out as a `progress` message with their buffers transferred, and the
// next chunk is scheduled through the event loop, so requests (pause, setLr, stop)
// are handled between chunks. Every request is answered at once with exactly one
// `result` or `error`. An exception from the engine while playing ends the run
// with status 'failed' and a `failed` message; the worker stays usable.

import type { EosModule, ValleySlice } from 'eoslab-wasm';
import { assertNever, type FromWorker, type RecordChunk, type RunInfo, type RunStatus, type ToWorker } from './protocol';
import { parseToWorker } from './parse';
import { ChunkPlanner, eigStepsIn } from './planner';
import { BusyReporter, failureMessage } from './busy';
import { EngineSession } from './session';
import { countPlaying, shareOf } from './threads';

export type Post = (msg: FromWorker, transfer: Transferable[]) => void;

/** Runs fn after delayMs (0: soon, after the messages already queued). */
export type Schedule = (fn: () => void, delayMs: number) => void;

export interface WorkerCoreOptions {
  /** Compute budget per chunk, ms (default 15). */
  chunkMs?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
  schedule?: Schedule;
}

export interface WorkerCore {
  /** Handles one incoming message (anything: invalid ones get an `error` reply). */
  handle(data: unknown): void;
  /** Drops the run and stops scheduling. */
  dispose(): void;
  readonly status: RunStatus;
}

export function createWorkerCore(mod: EosModule, post: Post, opts: WorkerCoreOptions = {}): WorkerCore {
  return new Core(mod, post, opts);
}

/** The default scheduler: a MessageChannel in browsers (setTimeout(0) is clamped to >= 4 ms
 * after a few nested calls, a message is not), setTimeout elsewhere and for real delays. */
export function defaultSchedule(): Schedule {
  const g = globalThis as { MessageChannel?: typeof MessageChannel; window?: unknown; WorkerGlobalScope?: unknown };
  const browser = typeof g.window !== 'undefined' || typeof g.WorkerGlobalScope !== 'undefined';
  if (!browser || !g.MessageChannel) return (fn, ms) => void setTimeout(fn, ms);
  const ch = new g.MessageChannel();
  const queue: (() => void)[] = [];
  ch.port1.onmessage = () => queue.shift()?.();
  return (fn, ms) => {
    if (ms > 0) {
      setTimeout(fn, ms);
      return;
    }
    queue.push(fn);
    ch.port2.postMessage(null);
  };
}

/**
 * Least time between two valley slices of a run (ms). Not a slice on every eigenvalue step:
 * on the default problem that leaves 25–32% of the steps/s, and even a slice reusing the
 * step's eigenvector (41 loss evaluations per 10 steps) about 32–36%, against a 90% budget
 * (`node bench/valley-cost.mjs --each-eig`). Once a second it costs under 1%.
 */
const VALLEY_EVERY_MS = 1000;

const IDLE: RunInfo = { numParams: 0, step: 0, time: 0, lr: NaN, beta: NaN, threshold: NaN, status: 'idle', wasmBytes: 0 };

function transferables(c: RecordChunk): Transferable[] {
  const all: (Float64Array | Int32Array | undefined)[] = [c.step, c.time, c.lr, c.beta, c.loss, c.accuracy, c.grad_norm, c.threshold, c.neig, c.hvps, c.eigs];
  all.push(c.pred_loss, c.sigma2); // the central flow's columns (absent from an older module)
  all.push(c.raw, c.u_proj); // adaptive and valley columns
  all.push(c.test_loss, c.test_accuracy); // the held-out columns (runs with n_test > 0 only)
  return all.filter((a): a is Float64Array | Int32Array => a !== undefined).map((a) => a.buffer);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class Core implements WorkerCore {
  private readonly now: () => number;
  private readonly schedule: Schedule;
  private readonly planner: ChunkPlanner;
  private readonly busy: BusyReporter;
  private session: EngineSession | null = null;
  private runStatus: RunStatus = 'idle';
  private until = 0; // absolute step at which play stops (0 = never)
  private failedInfo: RunInfo | null = null; // the last info of a run that failed
  private failure = '';
  private gen = 0; // bumped to cancel the scheduled chunk (pause, create, stop)
  private fitEvery = 0; // ms between fit reports while playing (0 = none: no data chart)
  private lastFit = -Infinity;
  private datasetSent = false;
  private disposed = false;
  // The page-wide thread budget (threads.ts), when the page sent one; threads in use.
  private budget: { cells: Int32Array; slot: number; total: number } | null = null;
  private threadsInUse = 1;

  constructor(
    private readonly mod: EosModule,
    private readonly post: Post,
    opts: WorkerCoreOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.schedule = opts.schedule ?? defaultSchedule();
    this.planner = new ChunkPlanner({ now: this.now, chunkMs: opts.chunkMs });
    this.busy = new BusyReporter({ now: this.now, post: (m) => this.post(m, []) });
  }

  get status(): RunStatus {
    return this.runStatus;
  }

  handle(data: unknown): void {
    if (this.disposed) return;
    const p = parseToWorker(data);
    if (p.ok) this.dispatch(p.msg);
    else this.error(p.id, p.message);
  }

  dispose(): void {
    this.dropRun();
    this.disposed = true;
  }

  // ------------------------------------------------------------ requests

  private dispatch(msg: ToWorker): void {
    switch (msg.type) {
      case 'create':
        return this.create(msg.id, msg.config);
      case 'play':
        return this.play(msg.id, msg.speed, msg.until);
      case 'pause':
        if (this.runStatus === 'playing') this.setStatus('paused');
        this.result(msg.id);
        return this.postFit(); // the picture of where it stopped
      case 'setLr':
      case 'setBeta':
        return this.setHyper(msg);
      case 'setBatch':
        return this.setBatch(msg.id, msg.batch);
      case 'info':
        return this.result(msg.id);
      case 'stop':
        this.dropRun();
        return this.result(msg.id);
      case 'fit':
        this.fitEvery = msg.every;
        this.result(msg.id);
        return this.postFit();
      case 'threads':
        this.budget = { cells: new Int32Array(msg.budget), slot: msg.slot, total: msg.total };
        this.markPlaying();
        return this.result(msg.id);
      default:
        assertNever(msg);
    }
  }

  private create(id: number, config: Extract<ToWorker, { type: 'create' }>['config']): void {
    this.dropRun();
    this.fitEvery = 0; // each run's page asks again (a pooled worker may have served another page)
    try {
      this.session = EngineSession.open(this.mod, config, (p) => this.busy.report(p));
    } catch (e) {
      return this.error(id, errorMessage(e));
    }
    this.planner.reset(this.session.eigEvery);
    this.setStatus(this.session.info().status === 'diverged' ? 'diverged' : 'paused');
    this.result(id);
  }

  private play(id: number, speed: number, until: number): void {
    if (!this.session) return this.noRun(id);
    this.until = until;
    const step = this.session.info().step;
    const canGo = this.runStatus === 'paused' || this.runStatus === 'playing' || this.runStatus === 'done';
    if (canGo && until > 0 && step >= until) this.setStatus('done');
    else if (canGo) {
      this.setStatus('playing');
      this.planner.start(speed);
      this.wake(0);
    }
    this.result(id);
  }

  private setHyper(msg: Extract<ToWorker, { type: 'setLr' | 'setBeta' }>): void {
    if (!this.session) return this.noRun(msg.id);
    try {
      if (msg.type === 'setLr') this.session.setLr(msg.lr);
      else this.session.setBeta(msg.beta);
    } catch (e) {
      return this.error(msg.id, errorMessage(e));
    }
    this.result(msg.id);
  }

  private setBatch(id: number, batch: number): void {
    if (!this.session) return this.noRun(id);
    try {
      this.session.setBatch(batch);
    } catch (e) {
      return this.error(id, errorMessage(e));
    }
    this.result(id);
  }

  private noRun(id: number): void {
    const why = this.runStatus === 'failed' ? `the run failed (${this.failure}): send create to start a new one` : 'no run: send create first';
    this.error(id, why);
  }

  // ------------------------------------------------------------ the play loop

  /** Schedules the next chunk; any earlier scheduled one is cancelled. */
  private wake(delayMs: number): void {
    const gen = ++this.gen;
    this.schedule(() => {
      if (gen === this.gen) this.tick();
    }, delayMs);
  }

  private tick(): void {
    const s = this.session;
    if (this.disposed || !s || this.runStatus !== 'playing') return;
    try {
      this.advance(s);
    } catch (e) {
      // Anything else the engine throws while playing (runChunk handles the step itself).
      if (this.session === s) this.failRun(e, s, NaN, 0);
    }
  }

  /** One chunk (or a sleep) of a playing run. */
  private advance(s: EngineSession): void {
    const start = s.info().step;
    const left = this.until > 0 ? this.until - start : Infinity;
    if (left <= 0) return this.setStatus('done'); // play() and the previous chunk said so already
    const plan = this.planner.next(start, left);
    if (plan.steps === 0) return this.wake(plan.waitMs);
    const chunk = this.runChunk(s, start, plan.steps);
    if (!chunk) return;
    const after = s.info();
    if (after.status === 'diverged') this.setStatus('diverged');
    else if (this.until > 0 && after.step >= this.until) this.setStatus('done');
    const loss = chunk.rows ? chunk.loss[chunk.rows - 1] : NaN; // read before the buffers are transferred
    const valley = this.valleyDue(s, this.runStatus !== 'playing'); // the chunk that ends a run always brings one
    const extra = valley ? [valley.s, valley.loss, valley.iterS, valley.iterLoss].map((a) => a.buffer) : [];
    this.post(
      {
        type: 'progress', chunk, info: this.info(), stepsPerSecond: this.planner.stepsPerSecond,
        threads: this.threadsInUse, module: this.mod.threaded?.() ? 'threaded' : 'single', ...(valley ? { valley } : {}),
      },
      [...transferables(chunk), ...extra],
    );
    if (this.runStatus !== 'playing' || this.now() - this.lastFit >= this.fitEvery) this.postFit(loss);
    if (this.runStatus === 'playing') this.wake(0);
  }

  /**
   * The valley slice, at most every VALLEY_EVERY_MS while the valley view is on: about 41
   * forward passes and a warm-started eigensolve each time, so a few per second cost little
   * next to the steps (bench/valley-cost.mjs measures it).
   */
  private lastValley = -Infinity;
  private valleyDue(s: EngineSession, force = false): ValleySlice | null {
    if (!s.valley || typeof (s as Partial<EngineSession>).valleySlice !== 'function') return null;
    const now = this.now();
    if (!force && now - this.lastValley < VALLEY_EVERY_MS) return null;
    this.lastValley = now;
    try {
      return s.valleySlice();
    } catch {
      return null; // a view: never fails the run
    }
  }

  /** This run's share of the page's thread budget, re-read before every chunk. */
  private applyThreads(s: EngineSession): void {
    const b = this.budget;
    if (!b) return;
    const want = shareOf(b.total, countPlaying(b.cells));
    if (want !== this.threadsInUse) this.threadsInUse = s.setThreads(want);
  }

  /** Sets this worker's budget slot to 1 while its run plays, else 0. */
  private markPlaying(): void {
    const b = this.budget;
    if (b && b.slot >= 0) Atomics.store(b.cells, b.slot, this.runStatus === 'playing' ? 1 : 0);
  }

  /** One engine call of m steps, timed for the planner; null (and the run failed) if it threw. */
  private runChunk(s: EngineSession, start: number, m: number): RecordChunk | null {
    this.applyThreads(s);
    const t0 = this.now();
    this.busy.begin();
    try {
      const chunk = s.step(m);
      const ms = this.now() - t0;
      let eigRows = 0;
      for (let r = 0; r < chunk.rows; r++) if (chunk.neig[r] > 0) eigRows++;
      this.planner.record(chunk.rows, eigRows, ms);
      return chunk;
    } catch (e) {
      this.failRun(e, s, start, m);
      return null;
    } finally {
      this.busy.end();
    }
  }

  private failRun(e: unknown, s: EngineSession, start: number, m: number): void {
    let info: RunInfo | null = null;
    try {
      info = { ...this.info(), status: 'failed' };
    } catch {
      // The run may be unreadable after the exception; fall back to the chunk's start.
    }
    const step = info?.step ?? null;
    const eigs = step !== null && eigStepsIn(step, 1, s.eigEvery) > 0 ? s.neigs : 0;
    const message = failureMessage(e, { last: this.busy.last, step, eigs, chunkStart: start, chunkSteps: m });
    this.dropRun(); // frees the engine's memory: after std::bad_alloc that is what the page needs
    this.failure = message;
    this.failedInfo = info ?? { ...IDLE, step: start, status: 'failed' };
    this.setStatus('failed');
    this.post({ type: 'failed', message }, []);
  }

  // ------------------------------------------------------------ state and replies

  private setStatus(s: RunStatus): void {
    this.runStatus = s;
    this.markPlaying();
    if (s !== 'playing') this.gen++; // cancels a scheduled chunk
  }

  /**
   * When the data chart asked for it: the dataset (once per run), then the model on its view
   * at the current parameters. A failure here leaves the run alone: the picture is only missing.
   */
  private postFit(loss = NaN): void {
    const s = this.session;
    if (this.fitEvery <= 0 || !s) return;
    try {
      if (!this.datasetSent) {
        const data = s.dataset();
        if (!data) return; // a module without the call
        this.datasetSent = true;
        this.post({ type: 'dataset', data }, []);
      }
      const fit = s.fit();
      if (!fit) return;
      this.lastFit = this.now();
      this.post({ type: 'fit', fit, loss }, [fit.values.buffer]);
    } catch {
      // No picture this time; the next report tries again.
    }
  }

  /** Frees the run (if any); the status becomes idle. */
  private dropRun(): void {
    this.session?.dispose();
    this.session = null;
    this.datasetSent = false;
    this.lastFit = -Infinity;
    this.threadsInUse = 1;
    this.failedInfo = null;
    this.failure = '';
    this.until = 0;
    this.setStatus('idle');
  }

  private info(): RunInfo {
    if (this.failedInfo) return this.failedInfo;
    if (!this.session) return { ...IDLE, wasmBytes: this.wasmBytes() };
    const i = this.session.info();
    return {
      numParams: i.numParams, step: i.step, time: i.time, lr: i.lr, beta: i.beta, threshold: i.threshold,
      status: this.runStatus, wasmBytes: this.wasmBytes(),
    };
  }

  private wasmBytes(): number {
    return this.mod.HEAP8?.buffer.byteLength ?? 0;
  }

  private result(id: number): void {
    this.post({ type: 'result', id, info: this.info() }, []);
  }

  private error(id: number, message: string): void {
    this.post({ type: 'error', id, message }, []);
  }
}
