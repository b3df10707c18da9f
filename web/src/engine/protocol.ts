// The typed message protocol between the page and an engine worker (one run per
// worker). Every request carries an id; the worker answers each request with
// exactly one `result` or `error` carrying the same id, and streams `progress`
// messages (one per compute chunk, <= ~15 ms of work) while the run is playing.

import type { WasmRecordChunk } from 'eoslab-wasm';

/** Mirrors eos::Config (wasm/include/eoslab/config.hpp); every field optional when sent, defaults filled by the engine. */
export interface EngineConfig {
  dataset: string; // chebyshev|moons|circles|spirals|xor|blobs|gaussian-mixture|teacher|linear
  n: number;
  degree: number;
  d: number;
  classes: number;
  noise: number;
  data_seed: number;
  widths: number[];
  act: string; // tanh|relu|elu|gelu|softplus|sigmoid|identity
  bias: boolean;
  init: string; // pytorch|normal
  init_scale: number;
  loss: string; // mse|ce
  precision: string; // float32|float64
  opt: string; // gd|polyak|nesterov|flow
  lr: number;
  beta: number;
  flow_alpha: number;
  flow_max_step: number;
  seed: number;
  eig_every: number;
  neigs: number;
  lanczos_tol: number;
  lanczos_max_iter: number;
  diverge_factor: number;
}

/** Per-step records of one chunk, struct of arrays: exactly what the module's
 * RunHandle.step returns (copies; the worker transfers their buffers as they are),
 * so the type is the module's own (web/src/engine/eoslab-wasm.d.ts). Row i = step[i];
 * eigs is rows * k row-major, NaN where not computed, eigs[i*k] the sharpness. */
export type RecordChunk = WasmRecordChunk;

export type RunStatus = 'idle' | 'playing' | 'paused' | 'diverged' | 'done';

export interface RunInfo {
  numParams: number;
  step: number;
  time: number;
  lr: number;
  beta: number;
  threshold: number;
  status: RunStatus;
}

export type ToWorker =
  | { type: 'create'; id: number; config: Partial<EngineConfig>; maxSteps?: number } // replaces any current run; paused
  | { type: 'play'; id: number } // run chunks until pause/stop/maxSteps/diverged
  | { type: 'pause'; id: number }
  | { type: 'step'; id: number; n: number } // advance n steps now (one or more chunks), stay paused
  | { type: 'setLr'; id: number; lr: number } // live: effective from the next chunk
  | { type: 'setBeta'; id: number; beta: number }
  | { type: 'sharpness'; id: number; k: number } // top-k now, without stepping
  | { type: 'info'; id: number }
  | { type: 'stop'; id: number }; // drop the run

export type FromWorker =
  | { type: 'progress'; chunk: RecordChunk; info: RunInfo; stepsPerSecond: number }
  | { type: 'result'; id: number; info: RunInfo; values?: number[]; hvps?: number }
  | { type: 'error'; id: number; message: string }; // id -1 when the message itself was unreadable

/** Exhaustiveness helper for switch statements over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
