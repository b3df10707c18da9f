// The typed Run API over the WASM engine: one Run owns one RunHandle (the only C++
// object JS must delete) and frees it in dispose(). Errors are Error objects with
// the engine's own message ("lr must be > 0 and finite, got -1").

import type { EngineInfo, EosModule, HyperChange, RunHandle, SharpnessValues, WasmConfig, WasmRecordChunk } from 'eoslab-wasm';
import type { EngineConfig, RecordChunk } from './protocol';
import { loadEngine } from './loader';

export type { EngineInfo, HyperChange, SharpnessValues } from 'eoslab-wasm';

/** Everything needed to inspect or reproduce a run's current state. */
export interface RunSnapshot {
  info: EngineInfo;
  /** The full config (defaults filled in). */
  config: EngineConfig;
  /** Current parameters, flat (layer by layer: W (out, in) column-major, then b). */
  params: Float64Array;
  /** lr/beta changes so far. */
  changes: HyperChange[];
}

// Compile-time check that the module's chunk is the protocol's RecordChunk.
const asRecordChunk = (c: WasmRecordChunk): RecordChunk => c;

export class Run {
  private handle: RunHandle | null;

  private constructor(handle: RunHandle) {
    this.handle = handle;
  }

  /** A new run on an already loaded module. Throws Error (the engine's message) on a bad config. */
  static create(mod: EosModule, config: Partial<EngineConfig> = {}): Run {
    return new Run(mod.createRun(config as Partial<WasmConfig>));
  }

  /** A new run on the shared module instance (loaded on first use). */
  static async load(config: Partial<EngineConfig> = {}): Promise<Run> {
    return Run.create(await loadEngine(), config);
  }

  /** Advances up to n steps (fewer if it diverges) and returns their records. */
  step(n: number): RecordChunk {
    return asRecordChunk(this.h().step(n));
  }

  /** New step size, effective from the next step. */
  setLr(lr: number): void {
    this.h().setLr(lr);
  }

  /** New momentum beta (polyak, nesterov), effective from the next step. */
  setMomentum(beta: number): void {
    this.h().setBeta(beta);
  }

  /** Top-k Hessian eigenvalues at the current parameters, without stepping. */
  sharpness(k = 1): SharpnessValues {
    return this.h().sharpness(k);
  }

  info(): EngineInfo {
    return this.h().info();
  }

  snapshot(): RunSnapshot {
    const h = this.h();
    return { info: h.info(), config: h.config() as unknown as EngineConfig, params: h.params(), changes: h.changes() };
  }

  get disposed(): boolean {
    return this.handle === null;
  }

  /** Frees the C++ experiment. Idempotent; any later call throws. */
  dispose(): void {
    if (this.handle) {
      this.handle.delete();
      this.handle = null;
    }
  }

  private h(): RunHandle {
    if (!this.handle) throw new Error('this Run has been disposed');
    return this.handle;
  }
}

/** Shorthand for Run.load(config). */
export function createRun(config: Partial<EngineConfig> = {}): Promise<Run> {
  return Run.load(config);
}
