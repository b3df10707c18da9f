// One engine run as the worker sees it: the typed Run, with the engine's progress hook
// connected when the module has one (so the worker works with modules built before and
// after the hook existed), and the two config values the pacer needs.

import type { EosModule } from 'eoslab-wasm';
import type { EngineConfig, EngineConfigInput, RecordChunk } from './protocol';
import { Run } from './run';

export class EngineSession {
  /** Steps t with t % eigEvery == 0 compute eigenvalues (0 = none). */
  readonly eigEvery: number;
  /** How many eigenvalues those steps compute. */
  readonly neigs: number;
  /** The valley view is on (config.valley): the worker sends a slice now and then. */
  readonly valley: boolean;

  private constructor(private readonly run: Run) {
    const cfg: Partial<EngineConfig> = run.snapshot().config;
    this.valley = (cfg as { valley?: boolean }).valley === true;
    this.eigEvery = Math.max(0, Number(cfg.eig_every) || 0);
    this.neigs = Math.max(0, Number(cfg.neigs) || 0);
  }

  /** A new run; throws Error with the engine's message on a bad config. */
  static open(mod: EosModule, config: EngineConfigInput, onProgress: (p: unknown) => void): EngineSession {
    const run = Run.create(mod, config);
    try {
      run.setProgress(onProgress);
      return new EngineSession(run);
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

  dataset() {
    return this.run.dataset();
  }

  fit() {
    return this.run.fit();
  }

  setLr(lr: number): void {
    this.run.setLr(lr);
  }

  setBeta(beta: number): void {
    this.run.setMomentum(beta);
  }

  setBatch(batch: number): void {
    this.run.setBatch(batch);
  }

  /** The loss along the top eigendirection at the current parameters (41 forward passes and a warm eigensolve). */
  valleySlice() {
    return this.run.valley();
  }

  /** Threads for the engine (see Run.setThreads); returns the count in use. */
  setThreads(n: number): number {
    return this.run.setThreads(n);
  }

  /** Frees the engine's run (idempotent). */
  dispose(): void {
    this.run.dispose();
  }
}
