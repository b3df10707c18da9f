// Progress of one slow engine call, and what to say when the engine throws.
// A single step of a large network, or one Lanczos eigenvalue computation, can
// take seconds; the engine then reports progress after every Hessian-vector
// product (HVP) and every step. BusyReporter turns those reports into `busy`
// messages for the page, but only once the call has lasted more than a second
// (short calls stay silent) and at most four times a second (a report per HVP
// would flood the page). It also remembers the last report, so that a failure
// can say what the engine was computing when it threw.

import type { EngineProgress } from 'eoslab-wasm';
import type { FromWorker } from './protocol';

export interface BusyOptions {
  now: () => number;
  post: (msg: Extract<FromWorker, { type: 'busy' }>) => void;
  /** Silent until a call has lasted this long, ms (default 1000). */
  afterMs?: number;
  /** At least this long between two messages, ms (default 250: at most 4 per second). */
  intervalMs?: number;
}

export class BusyReporter {
  private readonly opts: Required<BusyOptions>;
  private began = NaN; // start of the current engine call; NaN outside calls
  private lastPost = -Infinity;
  /** The last report of the current call (null before the first). */
  last: EngineProgress | null = null;

  constructor(opts: BusyOptions) {
    this.opts = { afterMs: 1000, intervalMs: 250, ...opts };
  }

  /** An engine call starts now. */
  begin(): void {
    this.began = this.opts.now();
    this.lastPost = -Infinity;
    this.last = null;
  }

  /** The engine call has returned or thrown; later reports are ignored. */
  end(): void {
    this.began = NaN;
  }

  /** One report from the engine. Never throws: it runs inside the engine's call stack. */
  report(raw: unknown): void {
    try {
      const p = readProgress(raw);
      if (!p || Number.isNaN(this.began)) return;
      this.last = p;
      const t = this.opts.now();
      const ms = t - this.began;
      if (ms <= this.opts.afterMs || t - this.lastPost < this.opts.intervalMs) return;
      this.lastPost = t;
      this.opts.post({ type: 'busy', what: p.what, step: p.step, k: p.k, hvps: p.hvps, ms: Math.round(ms) });
    } catch {
      // A failed post must not unwind through the engine's frames; the next report retries.
    }
  }
}

/** The report as a plain object of numbers (int64 fields may arrive as BigInt), or null if unreadable. */
function readProgress(raw: unknown): EngineProgress | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const what = r.what === 'eigs' ? 'eigs' : r.what === 'step' ? 'step' : null;
  if (what === null) return null;
  return { what, step: Number(r.step ?? 0), k: Number(r.k ?? 0), hvps: Number(r.hvps ?? 0) };
}

/** Where the engine was when it threw, for the `failed` message. */
export interface FailurePlace {
  /** The last progress report of the failing call, if the engine gives them. */
  last: EngineProgress | null;
  /** Otherwise: the step the run had reached (null if even that is unknown)... */
  step: number | null;
  /** ...and whether that step computes eigenvalues, and how many. */
  eigs: number;
  /** The chunk that failed, for when the step is unknown (NaN: not in a chunk). */
  chunkStart: number;
  chunkSteps: number;
}

/** A readable sentence for an exception thrown by the engine, e.g.
 * "out of memory (std::bad_alloc) while computing the top 10 eigenvalues at step 0". */
export function failureMessage(e: unknown, where: FailurePlace): string {
  return `${describeThrown(e)} ${describePlace(where)}`;
}

export function describeThrown(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : typeof e === 'string' ? e : null;
  if (text !== null) return /bad_alloc/.test(text) ? `out of memory (${text.trim()})` : text;
  // Emscripten throws the address of a C++ exception that escaped the bindings as a number.
  if (typeof e === 'number') return `the engine aborted with an uncaught C++ exception (${e})`;
  let shown: string;
  try {
    shown = JSON.stringify(e) ?? String(e);
  } catch {
    shown = String(e);
  }
  return `the engine threw a non-error value (${shown})`;
}

function topEigs(k: number): string {
  return k === 1 ? 'the top eigenvalue' : `the top ${k} eigenvalues`;
}

function describePlace(w: FailurePlace): string {
  if (w.last?.what === 'eigs') return `while computing ${topEigs(w.last.k)} at step ${w.last.step}`;
  if (w.last?.what === 'step') return `at step ${w.last.step}`;
  if (w.step !== null) return w.eigs > 0 ? `at step ${w.step} (which computes ${topEigs(w.eigs)})` : `at step ${w.step}`;
  if (!Number.isFinite(w.chunkStart)) return 'while playing';
  const end = w.chunkStart + w.chunkSteps - 1;
  return end > w.chunkStart ? `in steps ${w.chunkStart}–${end}` : `at step ${w.chunkStart}`;
}
