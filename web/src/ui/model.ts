// What the app does, without its DOM: the settings the reader chose (problem, run
// length, speed, view), the runs (each owning its optimiser), which run the optimiser
// controls edit, and what each action does. The state a link reproduces is derived:
// the settings with opt/lr/beta/compare read from the runs, never copied back.

import { RunManager, type UpdateKind } from '../runs/manager';
import type { Run, WorkerFactory } from '../runs/run';
import { presetState } from '../state/presets';
import { type AppState, type PresetName, type RunSpec, SCHEMA, cloneState, followOpt, withRuns } from '../state/schema';

/** What a field change touched: the charts' view, the pacing, the problem (restart), or the selected run. */
export type ChangeKind = 'view' | 'pacing' | 'problem' | 'run';

export class AppModel {
  readonly manager: RunManager;
  private settings: AppState;
  private selectedId = -1;

  constructor(initial: AppState, createWorker: WorkerFactory, onUpdate: (kind: UpdateKind, run: Run | null) => void) {
    this.settings = cloneState(initial);
    this.manager = new RunManager({ createWorker, onUpdate });
    this.manager.load(this.settings);
    this.selectedId = this.manager.runs[0]?.id ?? -1;
  }

  /** The state a link should reproduce. */
  state(): AppState {
    // A sweep's runs come from its lo:hi:n, which the link already holds.
    if (this.settings.sweep) return cloneState(this.settings);
    return withRuns(this.settings, this.manager.specs());
  }

  /** The settings that are not a run's (for the controls); opt/lr/beta/compare are not read from here. */
  get view(): Readonly<AppState> {
    return this.settings;
  }

  get selected(): Run | undefined {
    const r = this.manager.byId(this.selectedId) ?? this.manager.runs[0];
    this.selectedId = r?.id ?? -1;
    return r;
  }

  select(id: number): boolean {
    if (!this.manager.byId(id)) return false;
    this.selectedId = id;
    return true;
  }

  /** Applies a field from the controls. opt, lr and beta belong to the selected run. */
  setField(key: keyof AppState, value: unknown): ChangeKind {
    const r = this.selected;
    if (key === 'opt' || key === 'lr' || key === 'beta') {
      if (r && key === 'opt' && r.id === this.manager.runs[0]?.id && value !== r.spec.opt) {
        // The first run's optimiser is the one whose defaults the settings hold: a β₂ not
        // given follows it (adam 0.999 → rmsprop 0.99), an explicit one stays.
        const from = this.settings.opt;
        this.settings.opt = value as AppState['opt'];
        followOpt(this.settings, from);
      }
      if (r) this.manager.updateRun(r.id, { ...r.spec, [key]: value } as RunSpec);
      return 'run';
    }
    if (key === 'central') {
      // The first run's central flow (a GD run's toggle; the runs hold it, as they hold opt).
      const first = this.manager.runs[0];
      if (first) this.setCentral(first.id, value === true);
      return 'run';
    }
    (this.settings as unknown as Record<string, unknown>)[key] = value;
    if (SCHEMA[key].group === 'view') return 'view';
    if (key === 'batch' && !this.settings.sweep) {
      // Live, like η: the runs keep going with the new mini-batch size (SGD) from their next step.
      this.manager.setBatch(value as number);
      return 'run';
    }
    if (key === 'steps' || key === 'speed') {
      this.manager.setPacing({ speed: this.settings.speed, steps: this.settings.steps });
      return 'pacing';
    }
    if (key === 'sweep') {
      // A sweep replaces the runs (its GD runs and gradient flow); clearing it brings back the settings' runs.
      this.manager.load(this.settings);
      this.selectedId = this.manager.runs[0]?.id ?? -1;
    } else this.manager.setProblem(this.settings);
    if (!this.manager.playing) this.manager.play();
    return 'problem';
  }

  /** Live η of the selected run. */
  setLr(lr: number): void {
    const r = this.selected;
    if (r) this.manager.setLr(r.id, lr);
  }

  applyPreset(name: PresetName): void {
    this.settings = presetState(name);
    this.manager.load(this.settings);
    this.selectedId = this.manager.runs[0]?.id ?? -1;
    this.manager.play();
  }

  /** Replaces the settings and the runs by `s` (a saved run's settings, applied). */
  applyState(s: AppState): void {
    this.settings = cloneState(s);
    this.manager.load(this.settings);
    this.selectedId = this.manager.runs[0]?.id ?? -1;
    this.manager.play();
  }

  /** "+ Add run": the selected run's optimiser at half its η (gradient flow becomes GD). */
  addRun(): void {
    const r = this.selected;
    const base: RunSpec = r ? { ...r.spec } : { opt: this.settings.opt, lr: this.settings.lr, beta: this.settings.beta };
    if (base.opt === 'flow') base.opt = 'gd';
    base.lr = Math.max(SCHEMA.lr.min, Number((base.lr / 2).toPrecision(3)));
    const added = this.manager.addRun(base);
    if (added) this.selectedId = added.id;
    if (!this.manager.playing) this.manager.play();
  }

  /** A GD run's "central flow" toggle: a second worker integrates the flow alongside it. */
  setCentral(id: number, on: boolean): void {
    this.manager.setCentral(id, on);
    if (on && !this.manager.playing) this.manager.play();
  }

  removeRun(id: number): void {
    this.manager.removeRun(id);
  }

  /** "Step": advance every run by one eigenvalue interval, by hand (the clock stops first). */
  step(): void {
    if (this.manager.playing) this.manager.pause();
    this.manager.step(Math.max(1, this.settings.eig_every));
  }
}
