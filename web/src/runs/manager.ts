// The run manager: every run has its own engine worker (so runs progress in parallel
// and the page's thread only draws), its colour, its optimiser settings on the shared
// problem, and its records (and how far a live change of η, β or optimiser extends it).
// The worker paces itself: the page says `play` with a speed
// and the step to stop at, and `pause`. The page's transport state changes at once on
// Pause/Reset/× (the reader sees it within a frame), whatever the worker is computing:
// a paused run ignores the status of chunks still in flight, and Reset and × cut the
// worker off instead of waiting for it. An η schedule is part of the engine config.
// (A little over 400 lines: run extension after live changes belongs with the pacing it
// changes, and splitting the class would spread one run's state over two files.)

import type { FromWorker, RunInfo } from '../engine/protocol';
import { RunRecords } from './records';
import { RunLink } from './link';
import { FitHistory } from './fits';
import { type Run, type WorkerFactory, PALETTE, lrInForce, runLabel } from './run';
import type { ExportedRun } from './export';
import { CentralFlow, type FlowChange, withFlowExport } from './flow';
import { type AppState, type EngineValues, type RunSpec, MAX_RUNS, engineConfig, runSpecs } from '../state/schema';

/** runs: added/removed; reset: a run's records were cleared (restart); status; data: new records. */
export type UpdateKind = 'runs' | 'reset' | 'status' | 'data';

export interface ManagerOptions {
  createWorker: WorkerFactory;
  onUpdate?: (kind: UpdateKind, run: Run | null) => void;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** How the runs play: steps per second per run (0 = full speed) and the run length (0 = never stop). */
export interface Pacing {
  speed: number;
  steps: number;
}

interface Slot {
  link: RunLink;
  /** The step this run was last told to stop at (0 = never): a `done` short of the run length is a pause. */
  until: number;
  /** (time, step) samples of the last second, for the achieved speed. */
  rate: { t: number; step: number }[];
  /** The worker integrating this GD run's central flow (spec.central), or null (flow.ts). */
  flow: CentralFlow | null;
  /** η and β the run started with, and its live changes since: what a flow switched on later replays. */
  start: { lr: number; beta: number };
  changes: FlowChange[];
}

const TERMINAL = new Set(['done', 'diverged', 'failed']);

/**
 * A live change of η, β or the optimiser leaves the run at least this many steps to go: the
 * sharpness needs a few hundred steps to climb to a new 2/η after η is lowered (Cohen et al.
 * 2021, Section 3), so a run must not end while the reader is watching it do so.
 */
export const EXTEND_STEPS = 2000;

export class RunManager {
  readonly runs: Run[] = [];
  /** The transport: the reader pressed Play (runs that can, play). */
  playing = false;
  private problem: AppState | null = null;
  private pacing: Pacing = { speed: 0, steps: 0 };
  private nextId = 1;
  private readonly slots = new Map<number, Slot>();
  private readonly opts: ManagerOptions;
  private readonly now: () => number;
  private disposed = false;
  /** ms between fit reports while playing (0 = the data chart is not shown: none). */
  private fitEvery = 0;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
  }

  // ---------------------------------------------------------------- configuration

  /** Replaces all runs by those of `state` (first run from opt/lr/beta, then compare). */
  load(state: AppState): void {
    for (const r of [...this.runs]) this.drop(r);
    this.problem = state;
    this.pacing = { speed: state.speed, steps: state.steps };
    for (const spec of runSpecs(state)) this.spawn(spec);
    this.emit('runs', null);
  }

  /** New problem/measurement settings for every run (each keeps its optimiser); restarts all. */
  setProblem(state: AppState): void {
    this.problem = state;
    for (const r of this.runs) this.restart(r, false);
    this.emit('status', null);
  }

  /** New speed or run length: needs no restart; a done run continues when the length grows. */
  setPacing(p: Pacing): void {
    this.pacing = { ...p };
    for (const r of this.runs) {
      const s = this.slot(r);
      if (r.status === 'done' && (p.steps === 0 || (r.info?.step ?? 0) < this.lengthOf(r))) r.status = 'paused';
      if (r.status === 'playing') this.sendPlay(r, s);
    }
    if (this.playing) this.playRuns();
    this.emit('status', null);
  }

  /** The data chart is shown (every > 0: a fit report at most every `every` ms per run) or not (0). */
  setFit(every: number): void {
    if (every === this.fitEvery) return;
    this.fitEvery = every;
    for (const r of this.runs) this.slot(r).link.send({ type: 'fit', every });
  }

  /** The optimiser settings of every run, in order (what the URL's opt/lr/beta/compare say). */
  specs(): RunSpec[] {
    return this.runs.map((r) => ({ ...r.spec }));
  }

  addRun(spec: RunSpec): Run | null {
    if (!this.problem || this.runs.length >= MAX_RUNS) return null;
    const r = this.spawn(spec);
    this.emit('runs', r);
    return r;
  }

  /** Removes a run now: its worker is cut off, whatever it is computing. */
  removeRun(id: number): void {
    const r = this.byId(id);
    if (!r) return;
    this.drop(r);
    this.settle();
    this.emit('runs', null);
  }

  /** Changes a run's optimiser. η or β alone are applied live; a new optimiser restarts the run. */
  updateRun(id: number, spec: RunSpec): void {
    const r = this.byId(id);
    if (!r) return;
    const old = r.spec;
    if (spec.opt === old.opt && spec.lr === old.lr && spec.beta === old.beta) {
      if (!!spec.central !== !!old.central) this.setCentral(id, !!spec.central);
      return;
    }
    if (spec.opt === old.opt && r.status !== 'failed') {
      if (spec.lr !== old.lr) this.setLr(id, spec.lr);
      if (spec.beta !== old.beta) this.setBeta(id, spec.beta);
      return;
    }
    r.spec = { ...spec };
    if (r.spec.opt !== 'gd') delete r.spec.central;
    this.restart(r, false);
    this.extend(r, 'optimiser changed');
    this.emit('status', r);
  }

  /** Live step-size change: the engine applies it at the current step and records it. */
  setLr(id: number, lr: number): void {
    const r = this.byId(id);
    if (!r || !(lr > 0) || !Number.isFinite(lr)) return;
    r.spec = { ...r.spec, lr };
    if (r.status === 'failed') this.restart(r, true);
    else {
      const s = this.slot(r);
      s.link.send({ type: 'setLr', lr });
      const c = { at: r.info?.step ?? 0, lr };
      s.changes.push(c);
      s.flow?.change(c);
    }
    this.extend(r, 'η changed');
    this.emit('status', r);
  }

  /** Live momentum change (polyak, nesterov). */
  setBeta(id: number, beta: number): void {
    const r = this.byId(id);
    if (!r || !Number.isFinite(beta)) return;
    r.spec = { ...r.spec, beta };
    if (r.status === 'failed') this.restart(r, true);
    else {
      const s = this.slot(r);
      s.link.send({ type: 'setBeta', beta });
      const c = { at: r.info?.step ?? 0, beta };
      s.changes.push(c);
      s.flow?.change(c);
    }
    this.extend(r, 'β changed');
    this.emit('status', r);
  }

  /** Live mini-batch size (0 = full batch) for every GD-type run, from its next step; gradient flow runs stay full-batch. */
  setBatch(batch: number): void {
    if (!this.problem || !Number.isInteger(batch) || batch < 0) return;
    this.problem = { ...this.problem, batch };
    for (const r of this.runs) {
      if (r.spec.opt === 'flow') continue;
      if (r.status === 'failed') this.restart(r, true);
      else this.slot(r).link.send({ type: 'setBatch', batch });
      this.extend(r, batch > 0 ? `mini-batch ${batch}` : 'full batch');
      this.emit('status', r);
    }
  }

  /**
   * Turns a GD run's central flow on or off (Cohen, Damian et al. 2025): a second worker
   * integrates it from the same initialisation, on the same clock; switched on mid-run it
   * catches up with the run, then follows it (flow.ts).
   */
  setCentral(id: number, on: boolean): void {
    const r = this.byId(id);
    if (!r || (on && r.spec.opt !== 'gd')) return;
    const s = this.slot(r);
    if (on) r.spec = { ...r.spec, central: true };
    else {
      const { central: _, ...rest } = r.spec;
      r.spec = rest;
    }
    s.flow?.close();
    s.flow = null;
    r.flow = null;
    r.flowError = null;
    if (on) this.startFlow(r, s);
    this.emit('runs', r);
  }

  /** Creates the run's central flow on a fresh worker (its records start empty); it catches up with the run. */
  private startFlow(r: Run, s: Slot): void {
    s.flow = new CentralFlow(r, this.opts.createWorker, this.problem!, s.start, s.changes, (kind, run) => this.emit(kind, run));
    s.flow.follow(r.info?.step ?? 0);
  }

  byId(id: number): Run | undefined {
    return this.runs.find((r) => r.id === id);
  }

  // ---------------------------------------------------------------- transport

  play(): void {
    if (this.runs.length > 0 && this.runs.every((r) => TERMINAL.has(r.status))) this.reset();
    this.playing = true;
    this.playRuns();
    this.emit('status', null);
  }

  /** Shown at once; the worker stops after the chunk in flight. */
  pause(): void {
    this.playing = false;
    for (const r of this.runs) {
      this.slot(r).flow?.pause(); // a flow catching up with a finished run stops too
      if (r.status !== 'playing') continue;
      r.status = 'paused';
      this.slot(r).link.send({ type: 'pause' });
    }
    this.emit('status', null);
  }

  /** Advances every paused run by n steps, then it pauses again. */
  step(n: number): void {
    for (const r of this.runs) {
      if (r.status !== 'paused') continue;
      const at = r.info?.step ?? 0;
      const len = this.lengthOf(r);
      const end = len > 0 ? Math.min(at + n, len) : at + n;
      if (end <= at) continue;
      const s = this.slot(r);
      s.until = end;
      r.status = 'playing';
      s.link.send({ type: 'play', speed: this.pacing.speed, until: end });
      s.flow?.resume();
    }
    this.emit('status', null);
  }

  /** Starts every run over from step 0 on a fresh worker (an engine call in progress is not waited for). */
  reset(): void {
    for (const r of this.runs) this.restart(r, true);
    this.emit('status', null);
  }

  dispose(): void {
    this.disposed = true;
    for (const r of [...this.runs]) this.drop(r);
  }

  exportRuns(): ExportedRun[] {
    return this.runs.map((r) => ({
      id: r.id,
      label: runLabel(r.spec),
      color: r.color,
      opt: r.spec.opt,
      lr: lrInForce(r),
      beta: r.spec.beta,
      config: this.config(r),
      phase: r.status,
      divergedAt: r.divergedAt,
      error: r.error,
      records: r.records.toArrays(),
    })).flatMap((e, i) => withFlowExport(e, this.runs[i], this.problem!));
  }

  // ---------------------------------------------------------------- runs and workers

  private config(r: Run): EngineValues {
    return engineConfig(this.problem!, r.spec);
  }

  private spawn(spec: RunSpec): Run {
    const used = new Set(this.runs.map((r) => r.color));
    const color = PALETTE.find((c) => !used.has(c)) ?? PALETTE[this.nextId % PALETTE.length];
    const run: Run = {
      id: this.nextId++,
      color,
      spec: { ...spec },
      records: new RunRecords(this.problem!.neigs),
      status: 'idle',
      info: null,
      error: null,
      busy: null,
      divergedAt: null,
      stepsPerSecond: 0,
      extendedTo: null,
      note: null,
    };
    const link = new RunLink(this.opts.createWorker, {
      message: (m, isCreate) => this.onMessage(run, m, isCreate),
      broken: (why) => this.fail(run, why),
    });
    this.slots.set(run.id, { link, until: 0, rate: [], flow: null, start: { lr: spec.lr, beta: spec.beta }, changes: [] });
    this.runs.push(run);
    this.restart(run, true);
    if (spec.central && spec.opt === 'gd') this.startFlow(run, this.slot(run));
    return run;
  }

  /** Clears the run and creates its engine again (on a fresh worker if `fresh`). */
  private restart(r: Run, fresh: boolean): void {
    const s = this.slot(r);
    const wasBusy = r.busy !== null;
    r.records.clear(this.problem!.neigs);
    r.status = 'idle';
    r.info = null;
    r.error = null;
    r.busy = null;
    r.divergedAt = null;
    r.stepsPerSecond = 0;
    r.extendedTo = null;
    r.note = null;
    s.rate = [];
    s.until = 0;
    s.start = { lr: r.spec.lr, beta: r.spec.beta };
    s.changes = [];
    // A worker inside a long engine call would answer the create only after it: replace it.
    s.link.create(this.config(r), fresh || wasBusy);
    r.fit = null;
    if (this.fitEvery > 0) s.link.send({ type: 'fit', every: this.fitEvery });
    // The central flow starts over with its run.
    if (s.flow) {
      s.flow.close();
      s.flow = null;
      if (r.spec.central && r.spec.opt === 'gd') this.startFlow(r, s);
      else r.flow = null;
    }
    this.emit('reset', r);
  }

  private drop(r: Run): void {
    this.slots.get(r.id)?.link.close();
    this.slots.get(r.id)?.flow?.close();
    this.slots.delete(r.id);
    const k = this.runs.indexOf(r);
    if (k >= 0) this.runs.splice(k, 1);
  }

  private playRuns(): void {
    for (const r of this.runs) {
      if (r.status !== 'paused') continue;
      const at = r.info?.step ?? 0;
      const len = this.lengthOf(r);
      if (len > 0 && at >= len) {
        r.status = 'done';
        continue;
      }
      r.status = 'playing';
      this.sendPlay(r, this.slot(r));
    }
    this.settle();
  }

  private sendPlay(r: Run, s: Slot): void {
    s.until = this.lengthOf(r);
    s.link.send({ type: 'play', speed: this.pacing.speed, until: s.until });
    s.flow?.resume();
  }

  /** The step at which this run stops (0 = never): the run length, or further after a live change. */
  lengthOf(r: Run): number {
    const len = this.pacing.steps;
    if (len === 0) return 0;
    return Math.max(len, r.extendedTo ?? 0);
  }

  /**
   * After a live change: at least EXTEND_STEPS more steps, and a finished run continues (the
   * worker's `play` with a larger `until` continues it). The card says how far it now runs.
   */
  private extend(r: Run, what: string): void {
    if (this.pacing.steps === 0 || r.status === 'diverged' || r.status === 'failed') return;
    const at = r.info?.step ?? 0;
    if (this.lengthOf(r) - at >= EXTEND_STEPS) return;
    r.extendedTo = at + EXTEND_STEPS;
    r.note = `${what}: running to step ${r.extendedTo.toLocaleString('en-US')}`;
    if (r.status === 'done') {
      r.status = 'paused';
      this.playing = true;
    }
    if (r.status === 'playing') this.sendPlay(r, this.slot(r));
    else if (this.playing) this.playRuns();
  }

  private onMessage(r: Run, m: FromWorker, isCreate: boolean): void {
    if (this.disposed || !this.slots.has(r.id)) return;
    switch (m.type) {
      case 'progress': {
        r.records.append(m.chunk);
        if (m.valley) r.records.valley = m.valley;
        r.busy = null;
        const before = r.status;
        this.takeInfo(r, m.info);
        this.measureRate(r, m.info.step);
        this.slots.get(r.id)?.flow?.follow(m.info.step);
        // A chunk that ends the run (diverged, done) changes its status: the card must say so
        // at once, not at the next throttled redraw (there may be none once every run has stopped).
        this.emit(r.status === before ? 'data' : 'status', r);
        return;
      }
      case 'dataset':
        r.fit = new FitHistory(m.data);
        this.emit('data', r);
        return;
      case 'fit':
        if (!r.fit) r.fit = new FitHistory(null);
        r.fit.push(m.fit, m.loss);
        this.emit('data', r);
        return;
      case 'busy':
        r.busy = { ...m, at: this.now() };
        this.emit('status', r);
        return;
      case 'failed':
        this.fail(r, m.message);
        return;
      case 'result':
        if (isCreate) {
          r.info = m.info;
          r.status = 'paused';
          if (this.playing) this.playRuns();
        } else {
          this.takeInfo(r, m.info);
        }
        this.emit('status', r);
        return;
      case 'error':
        // A refused config (the engine's own message) fails the run; a refused live change leaves it usable.
        if (isCreate || m.id === -1) this.fail(r, m.message);
        else {
          r.error = m.message;
          this.emit('status', r);
        }
        return;
    }
  }

  /** The engine's report: step, η and threshold in force, and the end of a run (diverged, or at its stop step). */
  private takeInfo(r: Run, info: RunInfo): void {
    r.info = info;
    if (TERMINAL.has(r.status) || r.status === 'idle') return;
    if (info.status === 'diverged') {
      r.status = 'diverged';
      r.divergedAt = r.records.rows > 0 ? r.records.last('step') : info.step;
      r.busy = null;
      this.settle();
    } else if (info.status === 'done' && r.status === 'playing') {
      // Stopped where it was told to: the run length (done), or a Step's end (paused again).
      const len = this.lengthOf(r);
      r.status = len > 0 && info.step >= len ? 'done' : 'paused';
      this.settle();
    } else if (info.status === 'failed') {
      this.fail(r, r.error ?? 'the engine failed');
    }
  }

  private fail(r: Run, message: string): void {
    r.status = 'failed';
    r.error = message;
    r.busy = null;
    this.settle();
    this.emit('status', r);
  }

  /** The transport stops once no run can play any more. */
  private settle(): void {
    if (this.playing && this.runs.length > 0 && this.runs.every((r) => TERMINAL.has(r.status))) this.playing = false;
  }

  private measureRate(r: Run, step: number): void {
    const s = this.slot(r);
    const t = this.now();
    s.rate.push({ t, step });
    while (s.rate.length > 2 && t - s.rate[0].t > 1000) s.rate.shift();
    const first = s.rate[0];
    r.stepsPerSecond = t > first.t ? ((step - first.step) * 1000) / (t - first.t) : 0;
  }

  private slot(r: Run): Slot {
    const s = this.slots.get(r.id);
    if (!s) throw new Error(`run ${r.id} has no worker slot`);
    return s;
  }

  private emit(kind: UpdateKind, run: Run | null): void {
    this.opts.onUpdate?.(kind, run);
  }
}
