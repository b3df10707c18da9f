// The typed message protocol between the page and an engine worker (one run per
// worker). Every request carries an id; the worker answers each request with
// exactly one `result` or `error` carrying the same id. While a run plays, the
// worker paces itself (see planner.ts) and streams one `progress` message per
// compute chunk (<= ~15 ms of work), a `busy` message when a single engine call
// lasts more than a second, and `failed` when the engine throws.

import type { ValleySlice, WasmDataset, WasmFit, WasmRecordChunk } from 'eoslab-wasm';
export type { ValleySlice } from 'eoslab-wasm';

/** The engine's config, every field: its type is derived from the engine's own field table (state/engine-schema.ts, generated). */
export type { EngineConfig } from '../state/engine-schema';
import type { EngineConfig } from '../state/engine-schema';

/** A config as sent to `create`: the engine's JSON object, missing fields take the engine's defaults. */
export type EngineConfigInput = Partial<EngineConfig>;

/** Per-step records of one chunk, struct of arrays: exactly what the module's
 * RunHandle.step returns (copies; the worker transfers their buffers as they are),
 * so the type is the module's own. Row i = step[i]; eigs is rows * k row-major,
 * NaN where not computed, eigs[i*k] the sharpness. */
export type RecordChunk = WasmRecordChunk;

/**
 * The one status vocabulary of a run, shared by worker and page.
 * idle: no run; playing/paused: the obvious; diverged: the loss became inf/NaN
 * (a result of the science, not an error); done: reached `until`; failed: the
 * engine threw (out of memory, ...), the run is gone and only `create` helps.
 */
export type RunStatus = 'idle' | 'playing' | 'paused' | 'diverged' | 'done' | 'failed';

export interface RunInfo {
  numParams: number;
  step: number; // steps taken so far (= step of the next record)
  time: number; // sum of step sizes
  lr: number;
  beta: number;
  threshold: number; // stability threshold for the optimiser; NaN for gradient flow
  status: RunStatus;
  /** Size of the worker's WebAssembly memory in bytes (it only grows): for memory benchmarks. */
  wasmBytes: number;
}

export type ToWorker =
  // Replaces any run; the new one is paused at step 0.
  | { type: 'create'; id: number; config: EngineConfigInput }
  // speed: steps per second (0 = as fast as possible); until: absolute step at which the run
  // stops with status 'done' (0 = never). A new play with a larger until continues a done run.
  | { type: 'play'; id: number; speed: number; until: number }
  | { type: 'pause'; id: number }
  | { type: 'setLr'; id: number; lr: number } // live, from the next step
  | { type: 'setBeta'; id: number; beta: number }
  | { type: 'setBatch'; id: number; batch: number } // live mini-batch size (0 = full batch), from the next step
  | { type: 'info'; id: number }
  | { type: 'stop'; id: number } // drop the run (frees the engine's memory)
  // The data chart: every > 0 asks for the run's `dataset` once and a `fit` report now, then at
  // most one every `every` ms while playing, and one when the run stops or pauses; 0 (and `create`) stops them.
  | { type: 'fit'; id: number; every: number }
  // Joins the page-wide thread budget (threads.ts): budget holds one Int32 slot per worker
  // (1 while its run plays), slot is this worker's (-1: none), total the page's budget.
  | { type: 'threads'; id: number; budget: SharedArrayBuffer; slot: number; total: number };

/** What a `busy` message says is being computed: a training step or an eigenvalue computation. */
export type BusyWhat = 'step' | 'eigs';

export type FromWorker =
  // threads: the engine threads that computed the chunk; module: 'threaded' or 'single'; valley: the latest valley slice (valley view on).
  | { type: 'progress'; chunk: RecordChunk; info: RunInfo; stepsPerSecond: number; valley?: ValleySlice; threads?: number; module?: string }
  // One engine call has lasted ms > 1000 so far (at most 4 such messages per second).
  | { type: 'busy'; what: BusyWhat; step: number; k: number; hvps: number; ms: number }
  // The engine threw while playing: the run is gone, its status is 'failed'.
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; info: RunInfo }
  | { type: 'error'; id: number; message: string } // id -1 when the request itself was unreadable
  // The training set and its view (once per run, after a `fit` request with every > 0).
  | { type: 'dataset'; data: DatasetView }
  // The model on the view's points at `fit.step` (no step taken for it); loss: the last record's loss.
  | { type: 'fit'; fit: FitValues; loss: number };

/** The training set and how the data chart draws it: the module's RunHandle.dataset(). */
export type DatasetView = WasmDataset;
/** The model's outputs on the view's points at one step: the module's RunHandle.fit(). */
export type FitValues = WasmFit;

/** Exhaustiveness helper for switch statements over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
