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
  lr_schedule: string;
}

/** Per-step records of one chunk, struct of arrays: exactly what the module's
 * RunHandle.step returns (copies; the worker transfers their buffers as they are),
 * so the type is the module's own (web/src/engine/eoslab-wasm.d.ts). Row i = step[i];
 * eigs is rows * k row-major, NaN where not computed, eigs[i*k] the sharpness. */
export type RecordChunk = WasmRecordChunk;

export type EngineConfigInput = Partial<EngineConfig>;

/** One vocabulary for a run's state, shared by worker and page; failed: the engine threw while playing. */
export type RunStatus = 'idle' | 'playing' | 'paused' | 'diverged' | 'done' | 'failed';

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
  | { type: 'create'; id: number; config: EngineConfigInput } // replaces any run; paused at step 0
  // speed: steps/s (0 = as fast as possible); until: absolute step to stop at with status 'done' (0 = never)
  | { type: 'play'; id: number; speed: number; until: number }
  | { type: 'pause'; id: number } // answered after the chunk in flight
  | { type: 'setLr'; id: number; lr: number }
  | { type: 'setBeta'; id: number; beta: number }
  | { type: 'info'; id: number }
  | { type: 'stop'; id: number }; // drop the run

export type FromWorker =
  | { type: 'progress'; chunk: RecordChunk; info: RunInfo; stepsPerSecond: number }
  | { type: 'busy'; what: 'step' | 'eigs'; step: number; k: number; hvps: number; ms: number } // one engine call > 1 s
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; info: RunInfo }
  | { type: 'error'; id: number; message: string }; // id -1 when the request itself was unreadable

/** Exhaustiveness helper for switch statements over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
