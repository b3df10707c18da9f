// The engine worker (one run per worker), implementing protocol.ts. The run
// advances in chunks of at most ~15 ms of compute; each chunk's records are posted
// as a `progress` message with their buffers transferred, and the next chunk is
// scheduled through the event loop, so commands (pause, setLr, stop, ...) are
// handled between chunks: a step-size change is live from the next chunk.
//
// The logic is a plain factory, createWorkerCore(module, post), so Node tests can
// drive it without a browser; the bottom of the file wires it to `self` only when
// this module runs as a worker.

import type { EosModule } from 'eoslab-wasm';
import { assertNever, type EngineConfig, type FromWorker, type RecordChunk, type RunInfo, type RunStatus, type ToWorker } from './protocol';
import { loadEngine } from './loader';
import { Run } from './run';

export type Post = (msg: FromWorker, transfer: Transferable[]) => void;

export interface WorkerCoreOptions {
  /** Target compute per chunk, ms (default 15). */
  chunkMs?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
  /** Runs fn soon, after pending messages (default: MessageChannel in browsers, setTimeout(0) elsewhere). */
  schedule?: (fn: () => void) => void;
}

export interface WorkerCore {
  /** Handles one incoming message (anything: invalid ones get an `error` reply). */
  handle(data: unknown): void;
  /** Drops the run and stops scheduling. */
  dispose(): void;
  /** For tests: the worker-level status and the current steps-per-chunk plan. */
  readonly status: RunStatus;
  readonly lastChunkSteps: number;
}

const TYPES = ['create', 'play', 'pause', 'step', 'setLr', 'setBeta', 'sharpness', 'info', 'stop'] as const;

type Parsed = { ok: true; msg: ToWorker } | { ok: false; id: number; message: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isInt(x: unknown, lo: number, hi: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

/** Checks an incoming message's shape (the engine checks the values' ranges). */
export function parseToWorker(data: unknown): Parsed {
  if (!isObject(data)) return { ok: false, id: -1, message: `message must be an object with 'type' and 'id', got ${describe(data)}` };
  const id = data.id;
  if (typeof id !== 'number' || !Number.isFinite(id)) {
    return { ok: false, id: -1, message: `message must have a numeric 'id', got ${describe(id)}` };
  }
  const type = data.type;
  const bad = (message: string): Parsed => ({ ok: false, id, message });
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    return bad(`unknown message type ${describe(type)} (expected one of ${TYPES.join(', ')})`);
  }
  const t = type as ToWorker['type'];
  switch (t) {
    case 'create': {
      if (!isObject(data.config)) return bad(`create: 'config' must be an object, got ${describe(data.config)}`);
      const maxSteps = data.maxSteps;
      if (maxSteps !== undefined && !isInt(maxSteps, 0, Number.MAX_SAFE_INTEGER)) {
        return bad(`create: 'maxSteps' must be a non-negative integer, got ${describe(maxSteps)}`);
      }
      return { ok: true, msg: { type: t, id, config: data.config as Partial<EngineConfig>, maxSteps } };
    }
    case 'step':
      if (!isInt(data.n, 1, 1e7)) return bad(`step: 'n' must be an integer in [1, 10000000], got ${describe(data.n)}`);
      return { ok: true, msg: { type: t, id, n: data.n } };
    case 'setLr':
      if (typeof data.lr !== 'number') return bad(`setLr: 'lr' must be a number, got ${describe(data.lr)}`);
      return { ok: true, msg: { type: t, id, lr: data.lr } };
    case 'setBeta':
      if (typeof data.beta !== 'number') return bad(`setBeta: 'beta' must be a number, got ${describe(data.beta)}`);
      return { ok: true, msg: { type: t, id, beta: data.beta } };
    case 'sharpness':
      if (!isInt(data.k, 1, 20)) return bad(`sharpness: 'k' must be an integer in [1, 20], got ${describe(data.k)}`);
      return { ok: true, msg: { type: t, id, k: data.k } };
    case 'play':
    case 'pause':
    case 'info':
    case 'stop':
      return { ok: true, msg: { type: t, id } };
    default:
      return assertNever(t);
  }
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (x === null || typeof x !== 'object') return String(x);
  return Array.isArray(x) ? 'an array' : 'an object';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function defaultSchedule(): (fn: () => void) => void {
  const g = globalThis as { MessageChannel?: typeof MessageChannel; window?: unknown; WorkerGlobalScope?: unknown };
  const browser = typeof g.window !== 'undefined' || typeof g.WorkerGlobalScope !== 'undefined';
  if (browser && g.MessageChannel) {
    // setTimeout(0) is clamped to >= 4 ms after a few nested calls; a message is not.
    const ch = new g.MessageChannel();
    const queue: (() => void)[] = [];
    ch.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      ch.port2.postMessage(null);
    };
  }
  return (fn) => void setTimeout(fn, 0);
}

/** Number of steps t in [s, s + m) with t % every == 0 (the steps that measure eigenvalues). */
export function eigStepsIn(s: number, m: number, every: number): number {
  if (every <= 0 || m <= 0) return 0;
  return Math.floor((s + m - 1) / every) - Math.floor((s - 1) / every);
}

interface PendingStep {
  id: number;
  remaining: number;
}

export function createWorkerCore(mod: EosModule, post: Post, opts: WorkerCoreOptions = {}): WorkerCore {
  const target = opts.chunkMs ?? 15;
  const now = opts.now ?? (() => performance.now());
  const schedule = opts.schedule ?? defaultSchedule();

  let run: Run | null = null;
  let status: RunStatus = 'idle';
  let maxSteps = Infinity;
  let eigEvery = 0;
  let playId = -1;
  let pending: PendingStep[] = [];
  let scheduled = false;
  let disposed = false;
  // Cost model of a chunk of m steps with e eigenvalue steps: a*m + b*e ms, fitted by
  // exponentially weighted least squares over the recent chunks (sums below).
  let a = NaN; // ms per step
  let b = 0; // extra ms per eigenvalue step
  let Smm = 0, Sme = 0, See = 0, Smt = 0, Set = 0;
  let lastM = 0;
  let lastMs = 0;
  let rate = 0; // steps per second, smoothed

  const reply = (msg: FromWorker) => post(msg, []);
  const fail = (id: number, message: string) => reply({ type: 'error', id, message });

  function info(): RunInfo {
    if (!run) return { numParams: 0, step: 0, time: 0, lr: NaN, beta: NaN, threshold: NaN, status };
    const i = run.info();
    return { numParams: i.numParams, step: i.step, time: i.time, lr: i.lr, beta: i.beta, threshold: i.threshold, status };
  }
  const result = (id: number, extra: { values?: number[]; hvps?: number } = {}) =>
    reply({ type: 'result', id, info: info(), ...extra });

  function settlePending(err?: string): void {
    const p = pending;
    pending = [];
    for (const s of p) (err ? fail(s.id, err) : result(s.id));
  }

  function dropRun(reason: string): void {
    settlePending(reason);
    run?.dispose();
    run = null;
    status = 'idle';
    playId = -1;
  }

  function ensureLoop(): void {
    if (scheduled || disposed) return;
    scheduled = true;
    schedule(tick);
  }

  // How many steps the next chunk may take: the largest m whose predicted cost fits the target.
  function plan(want: number, start: number): number {
    if (!(a >= 0)) return Math.min(want, 1);
    // Grow at most 4x per chunk; shrink at once after a chunk that overran badly (machine busy).
    const grow = lastMs > 2 * target ? Math.max(1, Math.floor(lastM / 2)) : Math.max(4, lastM * 4);
    const cap = Math.min(want, grow, 1e6);
    const cost = (m: number) => a * m + b * eigStepsIn(start, m, eigEvery);
    if (cost(cap) <= target) return cap;
    let lo = 1;
    let hi = cap; // cost(lo) may exceed target: one step is the minimum
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (cost(mid) <= target) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  function learn(m: number, e: number, ms: number): void {
    const t = Math.max(ms, 1e-3);
    const w = 0.7; // older chunks count less, so the fit follows changes (lr, phase of training)
    Smm = w * Smm + m * m;
    Sme = w * Sme + m * e;
    See = w * See + e * e;
    Smt = w * Smt + m * t;
    Set = w * Set + e * t;
    const det = Smm * See - Sme * Sme;
    let fa = NaN;
    let fb = NaN;
    if (See > 0 && det > 1e-9 * Smm * See) {
      fa = (Smt * See - Set * Sme) / det;
      fb = (Smm * Set - Sme * Smt) / det;
    }
    if (fa > 0 && fb >= 0) {
      a = fa;
      b = fb;
    } else {
      // Not identifiable yet (e.g. only one kind of chunk) or noisy: charge everything per step,
      // which over-estimates plain steps and so keeps chunks short until the next fit.
      a = Smt / Smm;
      b = 0;
    }
    rate = rate > 0 ? 0.7 * rate + 0.3 * ((m * 1000) / t) : (m * 1000) / t;
    lastM = m;
    lastMs = t;
  }

  function tick(): void {
    scheduled = false;
    if (disposed || !run) return;
    const stepping = pending.length > 0;
    if (!stepping && status !== 'playing') return;
    const i = run.info();
    let want = stepping ? pending[0].remaining : 1e6;
    want = Math.min(want, maxSteps - i.step);
    if (want <= 0) {
      status = 'done';
      settlePending();
      return;
    }
    const m = plan(want, i.step);
    let chunk: RecordChunk;
    const t0 = now();
    try {
      chunk = run.step(m);
    } catch (e) {
      // Not expected (bad configs fail at create): report it on the request being served.
      const id = stepping ? pending[0].id : playId;
      if (stepping) pending.shift();
      if (status === 'playing') status = 'paused';
      fail(id, errorMessage(e));
      if (pending.length > 0) ensureLoop();
      return;
    }
    const ms = now() - t0;
    let eigRows = 0;
    for (let r = 0; r < chunk.rows; r++) if (chunk.neig[r] > 0) eigRows++;
    if (chunk.rows > 0) learn(chunk.rows, eigRows, ms);

    const after = run.info();
    if (after.status === 'diverged') status = 'diverged';
    else if (after.step >= maxSteps) status = 'done';

    const transfer: Transferable[] = [
      chunk.step.buffer, chunk.time.buffer, chunk.lr.buffer, chunk.beta.buffer, chunk.loss.buffer,
      chunk.accuracy.buffer, chunk.grad_norm.buffer, chunk.threshold.buffer, chunk.neig.buffer, chunk.hvps.buffer,
      chunk.eigs.buffer,
    ];
    post({ type: 'progress', chunk, info: info(), stepsPerSecond: rate }, transfer);

    if (status === 'diverged' || status === 'done') {
      playId = -1;
      settlePending();
      return;
    }
    if (stepping) {
      pending[0].remaining -= chunk.rows;
      if (pending[0].remaining <= 0) result(pending.shift()!.id);
    }
    if (pending.length > 0 || status === 'playing') ensureLoop();
  }

  function needRun(id: number): boolean {
    if (run) return true;
    fail(id, 'no run: send create first');
    return false;
  }

  function dispatch(msg: ToWorker): void {
    switch (msg.type) {
      case 'create': {
        dropRun(`run replaced by create #${msg.id}`);
        a = NaN;
        b = 0;
        Smm = Sme = See = Smt = Set = 0;
        lastM = lastMs = 0;
        rate = 0;
        try {
          run = Run.create(mod, msg.config);
        } catch (e) {
          fail(msg.id, errorMessage(e));
          return;
        }
        eigEvery = run.snapshot().config.eig_every;
        maxSteps = msg.maxSteps ?? Infinity;
        status = run.info().status === 'diverged' ? 'diverged' : maxSteps <= 0 ? 'done' : 'paused';
        result(msg.id);
        return;
      }
      case 'play':
        if (!needRun(msg.id)) return;
        if (status === 'paused') {
          status = 'playing';
          playId = msg.id;
          ensureLoop();
        }
        result(msg.id);
        return;
      case 'pause':
        if (!needRun(msg.id)) return;
        if (status === 'playing') status = 'paused';
        playId = -1;
        settlePending(); // pending step requests end here, with the steps done so far
        result(msg.id);
        return;
      case 'step':
        if (!needRun(msg.id)) return;
        if (status === 'diverged' || status === 'done') {
          result(msg.id);
          return;
        }
        pending.push({ id: msg.id, remaining: msg.n });
        ensureLoop();
        return;
      case 'setLr':
      case 'setBeta': {
        if (!needRun(msg.id)) return;
        try {
          if (msg.type === 'setLr') run!.setLr(msg.lr);
          else run!.setMomentum(msg.beta);
        } catch (e) {
          fail(msg.id, errorMessage(e));
          return;
        }
        result(msg.id);
        return;
      }
      case 'sharpness': {
        if (!needRun(msg.id)) return;
        try {
          const s = run!.sharpness(msg.k);
          result(msg.id, { values: s.values, hvps: s.hvps });
        } catch (e) {
          fail(msg.id, errorMessage(e));
        }
        return;
      }
      case 'info':
        result(msg.id);
        return;
      case 'stop':
        dropRun(`run stopped by stop #${msg.id}`);
        result(msg.id);
        return;
      default:
        assertNever(msg);
    }
  }

  return {
    handle(data: unknown): void {
      if (disposed) return;
      const p = parseToWorker(data);
      if (!p.ok) {
        fail(p.id, p.message);
        return;
      }
      dispatch(p.msg);
    },
    dispose(): void {
      dropRun('worker disposed');
      disposed = true;
    },
    get status() {
      return status;
    },
    get lastChunkSteps() {
      return lastM;
    },
  };
}

// ------------------------------------------------------------ worker entry point

/** Wires a core to this worker's `self` once the module has loaded; messages that arrive earlier are queued. */
export function startWorker(scope: {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown, options?: { transfer?: Transferable[] }): void;
}): void {
  const queue: unknown[] = [];
  let core: WorkerCore | null = null;
  let loadError: string | null = null;
  const post: Post = (msg, transfer) => scope.postMessage(msg, { transfer });
  const refuse = (data: unknown) => {
    const id = isObject(data) && typeof data.id === 'number' ? data.id : -1;
    post({ type: 'error', id, message: `the engine failed to load: ${loadError}` }, []);
  };
  // Set synchronously, before any await, so no early message is lost.
  scope.onmessage = (ev: MessageEvent) => {
    if (core) core.handle(ev.data);
    else if (loadError !== null) refuse(ev.data);
    else queue.push(ev.data);
  };
  loadEngine().then(
    (mod) => {
      core = createWorkerCore(mod, post);
      for (const m of queue.splice(0)) core.handle(m);
    },
    (e: unknown) => {
      loadError = errorMessage(e);
      for (const m of queue.splice(0)) refuse(m);
    },
  );
}

declare const WorkerGlobalScope: { new (): unknown } | undefined;
if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' && self instanceof WorkerGlobalScope) {
  startWorker(self as unknown as Parameters<typeof startWorker>[0]);
}
