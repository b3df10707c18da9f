// The typed Run API over the WASM engine: one Run owns one RunHandle (the only C++
// object JS must delete) and frees it in dispose(). Configs go to the engine as
// JSON text, read by the same code as `eos-run --config`. Errors are Error objects
// with the engine's own message, naming the field and its range.

import type { EngineInfo, EngineProgress, EosModule, HyperChange, RunHandle, SharpnessValues, ValleySlice, WasmConfig, WasmDataset, WasmFit, WasmRecordChunk } from 'eoslab-wasm';
import type { RecordChunk } from './protocol';
import { loadEngine } from './loader';

export type { EngineInfo, HyperChange, SharpnessValues } from 'eoslab-wasm';

/**
 * A config as the engine takes it: any subset of its fields (absent ones take their
 * defaults); names are plain strings here, the engine checks them against its table.
 */
export type ConfigInput = { [K in keyof WasmConfig]?: WasmConfig[K] extends string ? string : WasmConfig[K] };

/** '' when the config is valid (cross-field rules and the memory budget included), else the engine's message. */
export function configMessage(mod: EosModule, config: ConfigInput): string {
  return mod.validateConfig(JSON.stringify(config));
}

/** Everything needed to inspect or reproduce a run's current state. */
export interface RunSnapshot {
  info: EngineInfo;
  /** The full config (defaults filled in). */
  config: WasmConfig;
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
  static create(mod: EosModule, config: ConfigInput = {}): Run {
    return new Run(mod.createRun(JSON.stringify(config)));
  }

  /** A new run on the shared module instance (loaded on first use). */
  static async load(config: ConfigInput = {}): Promise<Run> {
    return Run.create(await loadEngine(), config);
  }

  /** Advances up to n steps (fewer if it diverges) and returns their records. */
  step(n: number): RecordChunk {
    return asRecordChunk(this.h().step(n));
  }

  /** New step size from the current step on (the engine's schedule, applied at once); listed in changes. */
  setLr(lr: number): void {
    this.h().setLr(lr);
  }

  /** New momentum beta (polyak, nesterov) from the current step on; listed in changes. */
  setMomentum(beta: number): void {
    this.h().setBeta(beta);
  }

  /** New mini-batch size (0 = full batch) from the current step on; throws Error with the engine's message. */
  setBatch(batch: number): void {
    this.h().setBatch(batch);
  }

  /**
   * Reports progress inside slow engine calls (after every Hessian-vector product, once per
   * step) to fn; null stops it. Returns false, and does nothing, when the module's runs have
   * no such hook (a module built without it, or a test double).
   */
  setProgress(fn: ((p: EngineProgress) => void) | null): boolean {
    const h: Partial<RunHandle> = this.h();
    if (typeof h.setProgress !== 'function') return false;
    h.setProgress(fn);
    return true;
  }

  /** The valley slice at the current parameters (eos::ValleySlice), without stepping. */
  valley(points = 41): ValleySlice {
    return this.h().valley(points);
  }

  /**
   * Threads for the engine's example blocks (a run-time setting: the results are
   * bit-identical for any count). Returns the count in use: 1 with the single-threaded
   * module, at most its pthread pool + 1 with the threaded one.
   */
  setThreads(n: number): number {
    const h: Partial<RunHandle> = this.h();
    if (typeof h.setThreads !== 'function') return 1;
    return h.setThreads(n);
  }

  /** Top-k Hessian eigenvalues at the current parameters, without stepping. */
  sharpness(k = 1): SharpnessValues {
    return this.h().sharpness(k);
  }

  info(): EngineInfo {
    return this.h().info();
  }

  /** The training set and how the data chart draws it; null when the module has no such call. */
  dataset(): WasmDataset | null {
    const h: Partial<RunHandle> = this.h();
    return typeof h.dataset === 'function' ? h.dataset() : null;
  }

  /** The model on the data view's points at the current parameters, without stepping; null without the call. */
  fit(): WasmFit | null {
    const h: Partial<RunHandle> = this.h();
    return typeof h.fit === 'function' ? h.fit() : null;
  }

  snapshot(): RunSnapshot {
    const h = this.h();
    return { info: h.info(), config: h.config(), params: h.params(), changes: h.changes() };
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
export function createRun(config: ConfigInput = {}): Promise<Run> {
  return Run.load(config);
}
