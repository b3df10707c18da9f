// The run manager: every run has its own engine worker (so runs progress in
// parallel and the page's thread only draws), its colour, its optimiser settings
// on the shared problem, and its records. Play is paced here by sending `step n`
// requests (speed steps/s per run, or back-to-back chunks at full speed), which
// also lets an automatic η drop land exactly on its step. Live η changes go to the
// worker as setLr; the records carry η per row, so the change shows on the charts.

import type { EngineConfig, FromWorker, RecordChunk, RunInfo, ToWorker } from '../engine/protocol';
import { RunRecords } from './records';
import type { ExportedRun } from './export';
import { type AppState, type RunSpec, MAX_RUNS, engineConfig, threshold } from '../state/schema';

/** What the manager needs of a Worker (a fake one in unit tests). */
export interface WorkerLike {
  postMessage(msg: ToWorker): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}
export type WorkerFactory = () => WorkerLike;

/** Colour-blind-friendly palette, readable on light and dark backgrounds. */
export const PALETTE = ['#3b82f6', '#e8590c', '#12a150', '#c2255c', '#7950f2', '#0c8599', '#b08800', '#868e96'];

export type Phase = 'starting' | 'ready' | 'done' | 'diverged' | 'error';

export interface Run {
  readonly id: number;
  color: string;
  /** The run's settings (a user's live η change updates spec.lr; the automatic drop does not). */
  spec: RunSpec;
  /** η in force now (after live changes and drops). */
  lr: number;
  config: EngineConfig;
  records: RunRecords;
  phase: Phase;
  info: RunInfo | null;
  error: string | null;
  /** Step of the record where the loss blew up. */
  divergedAt: number | null;
  /** Steps per second actually achieved (paced), over the last ~second. */
  stepsPerSecond: number;
  /** The engine's compute speed as reported by the worker. */
  engineStepsPerSecond: number;
  /** The η drop of this run has been applied. */
  dropped: boolean;
}

/** runs: added/removed; reset: a run's records were cleared (restart); status; data: new records. */
export type UpdateKind = 'runs' | 'reset' | 'status' | 'data';

export interface ManagerOptions {
  createWorker: WorkerFactory;
  onUpdate?: (kind: UpdateKind, run: Run | null) => void;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Pacing tick; the default uses setTimeout every `tickMs`. Tests call tick() themselves. */
  autoTick?: boolean;
  tickMs?: number;
}

interface Internal {
  worker: WorkerLike;
  /** Id of the pending `create`; progress before its result belongs to a dropped run. */
  createId: number;
  /** Id of the in-flight `step` request, or -1. */
  stepId: number;
  /** Steps owed by the pacer. */
  budget: number;
  /** Sliding window of (time, step) for the achieved-speed readout. */
  rate: { t: number; step: number }[];
}

const FULL_SPEED_CHUNK_S = 0.08; // at full speed, ask for ~80 ms of work per request

export function runLabel(spec: RunSpec): string {
  switch (spec.opt) {
    case 'gd':
      return `GD η=${fmtLr(spec.lr)}`;
    case 'polyak':
      return `Heavy ball η=${fmtLr(spec.lr)} β=${spec.beta}`;
    case 'nesterov':
      return `Nesterov η=${fmtLr(spec.lr)} β=${spec.beta}`;
    case 'flow':
      return 'Gradient flow';
  }
}

export function fmtLr(lr: number): string {
  return Number(lr.toPrecision(3)).toString();
}

export class RunManager {
  readonly runs: Run[] = [];
  playing = false;
  private state: AppState | null = null;
  private nextId = 1;
  private nextMsg = 1;
  private readonly internal = new Map<number, Internal>();
  private readonly opts: ManagerOptions;
  private readonly now: () => number;
  private lastTick: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    this.lastTick = this.now();
  }

  // ---------------------------------------------------------------- configuration

  /** Replaces all runs by those of `state` (first run from opt/lr/beta, then compare). */
  load(state: AppState): void {
    for (const r of [...this.runs]) this.dropRun(r);
    this.state = state;
    const specs = [{ opt: state.opt, lr: state.lr, beta: state.beta }, ...state.compare];
    for (const spec of specs.slice(0, MAX_RUNS)) this.spawn({ ...spec });
    this.emit('runs', null);
  }

  /** New problem/measurement settings for every run (keeps each run's optimiser); restarts all. */
  setProblem(state: AppState): void {
    this.state = state;
    for (const r of this.runs) this.restart(r);
    this.emit('status', null);
  }

  /** Pacing and schedule fields that need no restart (speed, lr drop). Steps limit restarts nothing either. */
  setPacing(state: AppState): void {
    if (!this.state) return;
    this.state = { ...this.state, speed: state.speed, lr_drop_at: state.lr_drop_at, lr_drop_factor: state.lr_drop_factor, steps: state.steps };
    for (const r of this.runs) {
      if (r.phase === 'done' && (this.state.steps === 0 || (r.info?.step ?? 0) < this.state.steps)) r.phase = 'ready';
    }
    this.kick();
  }

  get problem(): AppState | null {
    return this.state;
  }

  addRun(spec: RunSpec): Run | null {
    if (!this.state || this.runs.length >= MAX_RUNS) return null;
    const r = this.spawn({ ...spec });
    this.emit('runs', r);
    this.kick();
    return r;
  }

  removeRun(id: number): void {
    const r = this.byId(id);
    if (!r) return;
    this.dropRun(r);
    this.emit('runs', null);
  }

  /** Changes a run's optimiser settings. η alone is applied live; anything else restarts it. */
  updateRun(id: number, spec: RunSpec): void {
    const r = this.byId(id);
    if (!r) return;
    const old = r.spec;
    if (spec.opt === old.opt && spec.beta === old.beta && spec.lr !== old.lr) {
      this.setLr(id, spec.lr);
      return;
    }
    if (spec.opt === old.opt && spec.lr === old.lr && spec.beta === old.beta) return;
    r.spec = { ...spec };
    this.restart(r);
    this.emit('status', r);
  }

  /** Live step-size change (marked on the charts through the records' lr column). */
  setLr(id: number, lr: number): void {
    const r = this.byId(id);
    if (!r || !(lr > 0) || !Number.isFinite(lr)) return;
    r.spec.lr = lr;
    if (r.phase === 'error') {
      this.restart(r);
    } else if (r.phase !== 'starting') {
      r.lr = lr;
      this.post(r, { type: 'setLr', id: this.msgId(), lr });
    } else {
      r.config = { ...r.config, lr };
      r.lr = lr;
      this.post(r, { type: 'setLr', id: this.msgId(), lr });
    }
    this.emit('status', r);
  }

  // ---------------------------------------------------------------- transport

  play(): void {
    if (this.runs.length > 0 && this.runs.every((r) => r.phase === 'done' || r.phase === 'diverged' || r.phase === 'error')) {
      this.reset();
    }
    this.playing = true;
    this.lastTick = this.now();
    this.emit('status', null);
    this.kick();
  }

  pause(): void {
    this.playing = false;
    for (const r of this.runs) this.int(r).budget = 0;
    this.emit('status', null);
  }

  /** Advances every idle run by n steps (while paused). */
  step(n: number): void {
    for (const r of this.runs) {
      const i = this.int(r);
      if (r.phase === 'ready' && i.stepId < 0) this.requestSteps(r, n);
    }
  }

  /** Starts every run over from step 0 with its current settings. */
  reset(): void {
    for (const r of this.runs) this.restart(r);
    this.emit('status', null);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const r of [...this.runs]) this.dropRun(r);
  }

  // ---------------------------------------------------------------- export

  exportRuns(): ExportedRun[] {
    return this.runs.map((r) => ({
      id: r.id,
      label: runLabel(r.spec),
      color: r.color,
      opt: r.spec.opt,
      lr: r.lr,
      beta: r.spec.beta,
      config: { ...r.config, widths: [...r.config.widths] },
      phase: r.phase,
      divergedAt: r.divergedAt,
      error: r.error,
      records: r.records.toArrays(),
    }));
  }

  byId(id: number): Run | undefined {
    return this.runs.find((r) => r.id === id);
  }

  // ---------------------------------------------------------------- pacing

  /** One pacing step: hand out step budgets and send requests. Public for tests. */
  tick(): void {
    if (this.disposed) return;
    const t = this.now();
    const dt = Math.max(0, Math.min(0.5, (t - this.lastTick) / 1000));
    this.lastTick = t;
    if (!this.playing || !this.state) return;
    const speed = this.state.speed;
    for (const r of this.runs) {
      if (r.phase !== 'ready') continue;
      const i = this.int(r);
      if (speed > 0) {
        i.budget = Math.min(i.budget + speed * dt, Math.max(1, speed * 0.25));
        if (i.stepId >= 0 || i.budget < 1) continue;
        const n = Math.floor(i.budget);
        i.budget -= n;
        this.requestSteps(r, n);
      } else if (i.stepId < 0) {
        const rate = r.engineStepsPerSecond > 0 ? r.engineStepsPerSecond : 500;
        this.requestSteps(r, Math.max(1, Math.round(rate * FULL_SPEED_CHUNK_S)));
      }
    }
  }

  private kick(): void {
    if (this.disposed || this.opts.autoTick === false) return;
    if (this.timer !== null) return;
    const loop = () => {
      this.timer = null;
      if (this.disposed) return;
      this.tick();
      if (this.playing) this.timer = setTimeout(loop, this.opts.tickMs ?? 30);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Sends `step n`, clamped so a run stops exactly at its step limit and at the η drop. */
  private requestSteps(r: Run, n: number): void {
    if (!this.state) return;
    const i = this.int(r);
    const at = r.info?.step ?? r.records.rows;
    const max = this.state.steps;
    if (max > 0) n = Math.min(n, max - at);
    const drop = this.state.lr_drop_at;
    if (drop > 0 && !r.dropped && at < drop) n = Math.min(n, drop - at);
    if (n <= 0) {
      if (max > 0 && at >= max) this.finish(r);
      return;
    }
    i.stepId = this.msgId();
    this.post(r, { type: 'step', id: i.stepId, n });
  }

  private finish(r: Run): void {
    r.phase = 'done';
    this.emit('status', r);
    if (this.runs.every((x) => x.phase !== 'ready' && x.phase !== 'starting')) {
      this.playing = false;
      this.emit('status', null);
    }
  }

  // ---------------------------------------------------------------- workers

  private spawn(spec: RunSpec): Run {
    const used = new Set(this.runs.map((r) => r.color));
    const color = PALETTE.find((c) => !used.has(c)) ?? PALETTE[this.nextId % PALETTE.length];
    const state = this.state!;
    const run: Run = {
      id: this.nextId++,
      color,
      spec,
      lr: spec.lr,
      config: engineConfig(state, spec),
      records: new RunRecords(state.neigs),
      phase: 'starting',
      info: null,
      error: null,
      divergedAt: null,
      stepsPerSecond: 0,
      engineStepsPerSecond: 0,
      dropped: false,
    };
    let worker: WorkerLike;
    try {
      worker = this.opts.createWorker();
    } catch (e) {
      run.phase = 'error';
      run.error = `could not start a worker: ${String(e)}`;
      this.runs.push(run);
      this.internal.set(run.id, { worker: NULL_WORKER, createId: -1, stepId: -1, budget: 0, rate: [] });
      return run;
    }
    this.internal.set(run.id, { worker, createId: -1, stepId: -1, budget: 0, rate: [] });
    worker.onmessage = (ev) => this.onMessage(run, ev.data);
    worker.onerror = (ev) => {
      run.phase = 'error';
      run.error = `worker failed: ${ev.message || 'could not load the engine'}`;
      this.emit('status', run);
    };
    this.runs.push(run);
    this.create(run);
    return run;
  }

  private create(r: Run): void {
    const state = this.state!;
    const i = this.int(r);
    r.config = engineConfig(state, r.spec);
    r.lr = r.spec.lr;
    r.records.clear(state.neigs);
    r.phase = 'starting';
    r.info = null;
    r.error = null;
    r.divergedAt = null;
    r.dropped = false;
    r.stepsPerSecond = 0;
    i.stepId = -1;
    i.budget = 0;
    i.rate = [];
    i.createId = this.msgId();
    // No maxSteps: the step limit is enforced here (requests are clamped), so it can change live.
    this.post(r, { type: 'create', id: i.createId, config: r.config });
    this.emit('reset', r);
  }

  private restart(r: Run): void {
    if (this.int(r).worker === NULL_WORKER) return;
    this.create(r);
    this.kick();
  }

  private dropRun(r: Run): void {
    const i = this.internal.get(r.id);
    if (i) {
      i.worker.onmessage = null;
      i.worker.onerror = null;
      try {
        i.worker.postMessage({ type: 'stop', id: this.msgId() });
      } catch {
        /* already gone */
      }
      i.worker.terminate();
      this.internal.delete(r.id);
    }
    const k = this.runs.indexOf(r);
    if (k >= 0) this.runs.splice(k, 1);
  }

  private onMessage(r: Run, m: FromWorker): void {
    if (this.disposed || !this.internal.has(r.id)) return;
    const i = this.int(r);
    switch (m.type) {
      case 'progress': {
        if (i.createId >= 0) return; // belongs to the run that the pending create replaces
        this.appendChunk(r, m.chunk, m.info);
        if (m.stepsPerSecond > 0) r.engineStepsPerSecond = m.stepsPerSecond;
        this.emit('data', r);
        return;
      }
      case 'result': {
        if (m.id === i.createId) {
          i.createId = -1;
          r.info = m.info;
          r.phase = 'ready';
          this.emit('status', r);
          this.kick();
          return;
        }
        if (i.createId >= 0) return;
        r.info = m.info;
        if (m.id === i.stepId) i.stepId = -1;
        this.afterInfo(r);
        this.emit('status', r);
        if (this.playing) this.tick();
        return;
      }
      case 'error': {
        if (m.id === i.createId || i.createId < 0) {
          if (m.id === i.createId) i.createId = -1;
          if (m.id === i.stepId) i.stepId = -1;
          // Runtime setter errors (e.g. a bad η) leave the run usable; creation errors do not.
          if (r.phase === 'starting' || m.id === -1) {
            r.phase = 'error';
          }
          r.error = m.message;
          this.emit('status', r);
        }
        return;
      }
    }
  }

  private appendChunk(r: Run, chunk: RecordChunk, info: RunInfo): void {
    r.records.append(chunk);
    r.info = info;
    const i = this.int(r);
    const t = this.now();
    i.rate.push({ t, step: info.step });
    while (i.rate.length > 2 && t - i.rate[0].t > 1000) i.rate.shift();
    const first = i.rate[0];
    r.stepsPerSecond = t > first.t ? ((info.step - first.step) * 1000) / (t - first.t) : 0;
    this.afterInfo(r);
  }

  /** Divergence, completion and the scheduled η drop, from the latest info. */
  private afterInfo(r: Run): void {
    const info = r.info;
    if (!info || !this.state) return;
    if (info.status === 'diverged' && r.phase !== 'diverged') {
      r.phase = 'diverged';
      r.divergedAt = r.records.rows > 0 ? r.records.last('step') : info.step;
      this.emit('status', r);
      if (this.runs.every((x) => x.phase !== 'ready' && x.phase !== 'starting')) this.playing = false;
      return;
    }
    const max = this.state.steps;
    if (r.phase === 'ready' && ((max > 0 && info.step >= max) || info.status === 'done')) this.finish(r);
    const drop = this.state.lr_drop_at;
    if (drop > 0 && !r.dropped && info.step >= drop && r.spec.opt !== 'flow' && r.phase !== 'diverged') {
      r.dropped = true;
      r.lr = r.lr * this.state.lr_drop_factor;
      this.post(r, { type: 'setLr', id: this.msgId(), lr: r.lr });
    }
  }

  private post(r: Run, msg: ToWorker): void {
    try {
      this.int(r).worker.postMessage(msg);
    } catch (e) {
      r.phase = 'error';
      r.error = `could not message the worker: ${String(e)}`;
    }
  }

  private int(r: Run): Internal {
    return this.internal.get(r.id) ?? { worker: NULL_WORKER, createId: -1, stepId: -1, budget: 0, rate: [] };
  }

  private msgId(): number {
    return this.nextMsg++;
  }

  private emit(kind: UpdateKind, run: Run | null): void {
    this.opts.onUpdate?.(kind, run);
  }
}

const NULL_WORKER: WorkerLike = {
  postMessage() {},
  terminate() {},
  onmessage: null,
  onerror: null,
};

/** Threshold currently in force for a run (NaN for gradient flow). */
export function runThreshold(r: Run): number {
  return threshold(r.spec.opt, r.lr, r.spec.beta);
}
