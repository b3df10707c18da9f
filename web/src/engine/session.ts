// One engine run as the worker sees it: the typed Run, plus the engine's
// progress hook when the module has one (feature-detected on the RunHandle, so
// the worker works with modules built before and after the hook existed), and
// the two config values the pacer needs. The hook lives on the raw RunHandle,
// which Run keeps private, so the module's createRun is observed on the way
// through Run.create rather than reimplemented here.

import type { EosModule, RunHandle } from 'eoslab-wasm';
import type { EngineConfig, EngineConfigInput, RecordChunk } from './protocol';
import { hasProgressHook } from './busy';
import { Run } from './run';

export class EngineSession {
  /** Steps t with t % eigEvery == 0 compute eigenvalues (0 = none). */
  readonly eigEvery: number;
  /** How many eigenvalues those steps compute. */
  readonly neigs: number;
  /** Whether the engine reports progress within a call (busy messages need it). */
  readonly reportsProgress: boolean;

  private constructor(
    private readonly run: Run,
    handle: RunHandle | null,
    onProgress: (p: unknown) => void,
  ) {
    const cfg: Partial<EngineConfig> = run.snapshot().config;
    this.eigEvery = Math.max(0, Number(cfg.eig_every) || 0);
    this.neigs = Math.max(0, Number(cfg.neigs) || 0);
    this.reportsProgress = hasProgressHook(handle);
    if (hasProgressHook(handle)) handle.setProgress(onProgress);
  }

  /** A new run; throws Error with the engine's message on a bad config. */
  static open(mod: EosModule, config: EngineConfigInput, onProgress: (p: unknown) => void): EngineSession {
    let handle: RunHandle | null = null;
    const observed: EosModule = Object.create(mod);
    observed.createRun = (...args: Parameters<EosModule['createRun']>) => (handle = mod.createRun(...args));
    const run = Run.create(observed, config);
    try {
      return new EngineSession(run, handle, onProgress);
    } catch (e) {
      run.dispose();
      throw e;
    }
  }

  step(n: number): RecordChunk {
    return this.run.step(n);
  }

  info() {
    return this.run.info();
  }

  setLr(lr: number): void {
    this.run.setLr(lr);
  }

  setBeta(beta: number): void {
    this.run.setMomentum(beta);
  }

  /** Frees the engine's run (idempotent). */
  dispose(): void {
    this.run.dispose();
  }
}
