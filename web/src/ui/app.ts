// The app: composes toolbar, run list, charts, settings and explanation inside a
// root element, and wires them to a RunManager. No globals: everything hangs off
// the returned handle, so the page (main.ts), and later an <eos-lab> element or an
// embed page (issue 6), can each mount their own instance.

import { ChartBoard } from '../charts/board';
import { type Run, type WorkerFactory, RunManager, runLabel } from '../runs/manager';
import { type ExportedRun, toCSV, toJSON } from '../runs/export';
import {
  type AppState, type PresetName, type RunSpec, MAX_RUNS, SCHEMA, cloneState, presetState, reconcile, toQuery,
} from '../state/schema';
import { ControlsPanel } from './controls';
import { download, downloadText, h } from './dom';
import { mountExplanation } from './explain';
import { Messages } from './messages';
import { RunList } from './runlist';
import { type ToolAction, Toolbar } from './toolbar';

export interface AppOptions {
  initial: AppState;
  /** Problems found while reading the initial state (shown at the top). */
  messages?: string[];
  createWorker: WorkerFactory;
  /** Called (throttled) whenever the state that a link should reproduce changes. */
  onStateChange?: (s: AppState) => void;
  /** Start playing at once (default true). */
  autoplay?: boolean;
}

export interface AppHandle {
  readonly manager: RunManager;
  readonly charts: ChartBoard;
  state(): AppState;
  messages(): string[];
  runs(): ExportedRun[];
  selected(): number;
  select(id: number): void;
  /** Same path as the η control, for the selected run. */
  setLr(lr: number): void;
  /** Applies a preset (as the preset menu does). */
  preset(name: PresetName): void;
  destroy(): void;
}

const STATUS_EVERY_MS = 200;
const LR_EVERY_MS = 250;

export function mountApp(root: HTMLElement, opts: AppOptions): AppHandle {
  let state = cloneState(opts.initial);
  let selected = -1;
  let frame = 0;
  let lastStatus = 0;
  let statusDirty = true;
  let destroyed = false;
  const reported = new Set<string>();

  root.classList.add('eos-app');
  const msgEl = h('div', {});
  const toolEl = h('div', {});
  const runsEl = h('section', { 'aria-label': 'Runs' });
  const chartsEl = h('section', { 'aria-label': 'Charts' });
  const controlsEl = h('aside', { 'aria-label': 'Settings' });
  const explainEl = h('aside', { 'aria-label': 'Explanation' });
  root.append(
    msgEl,
    toolEl,
    h('div', { class: 'eos-layout' }, h('div', { class: 'eos-main' }, runsEl, chartsEl), controlsEl, explainEl),
  );

  const messages = new Messages(msgEl);
  if (opts.messages?.length) messages.show('Some settings in the link were invalid and replaced by defaults:', opts.messages);

  const charts = new ChartBoard(chartsEl);
  charts.setKinds(state.charts);
  charts.setXMode(state.x);

  const manager = new RunManager({
    createWorker: opts.createWorker,
    onUpdate: (kind, run) => {
      if (kind === 'runs' || kind === 'reset') charts.setRuns(manager.runs);
      if (kind !== 'data') statusDirty = true;
      if (run?.error && run.phase === 'error') reportError(run);
      schedule();
    },
  });

  const toolbar = new Toolbar(toolEl, {
    onAction: act,
    onPreset: (p) => applyPreset(p),
    onSpeed: (s) => {
      state.speed = s;
      manager.setPacing(state);
      changed();
    },
  });

  const runList = new RunList(runsEl, {
    onSelect: (id) => {
      selected = id;
      statusDirty = true;
      schedule();
    },
    onRemove: (id) => {
      manager.removeRun(id);
      if (!manager.byId(selected)) selected = manager.runs[0]?.id ?? -1;
      syncRunsIntoState();
    },
  });

  const controls = new ControlsPanel(controlsEl, {
    onField: (key, value) => onField(key, value),
    onLr: (lr) => liveLr(lr),
  });
  mountExplanation(explainEl);

  // ------------------------------------------------------------------ state changes

  // Live η from the slider: at most one change per LR_EVERY_MS (plus the last one), so a
  // drag or a run of arrow keys gives a few marked changes on the charts, not dozens.
  let lrTimer: ReturnType<typeof setTimeout> | null = null;
  let lrLast = -Infinity;
  let lrPending: number | null = null;
  function liveLr(lr: number): void {
    lrPending = lr;
    const wait = lrLast + LR_EVERY_MS - performance.now();
    if (wait <= 0) flushLr();
    else if (!lrTimer) lrTimer = setTimeout(flushLr, wait);
  }
  function flushLr(): void {
    lrTimer = null;
    const r = manager.byId(selected);
    if (lrPending === null || !r) return;
    lrLast = performance.now();
    manager.setLr(r.id, lrPending);
    lrPending = null;
    syncRunsIntoState();
  }

  function onField(key: keyof AppState, value: unknown): void {
    const r = manager.byId(selected);
    if ((key === 'opt' || key === 'beta') && r) {
      manager.updateRun(r.id, { ...r.spec, [key]: value } as RunSpec);
      syncRunsIntoState();
      return;
    }
    (state as unknown as Record<string, unknown>)[key] = value;
    const group = SCHEMA[key].group;
    if (group === 'view') {
      charts.setKinds(state.charts);
      charts.setXMode(state.x);
    } else if (key === 'steps' || key === 'speed' || key === 'lr_drop_at' || key === 'lr_drop_factor') {
      manager.setPacing(state);
    } else {
      const fixes = reconcile(state);
      if (fixes.length) messages.show('Some settings were adjusted:', fixes);
      manager.setProblem(state);
      charts.setRuns(manager.runs);
      if (!manager.playing) manager.play();
    }
    changed();
  }

  function applyPreset(name: PresetName): void {
    state = presetState(name);
    manager.load(state);
    selected = manager.runs[0]?.id ?? -1;
    charts.setKinds(state.charts);
    charts.setXMode(state.x);
    charts.setRuns(manager.runs);
    manager.play();
    changed();
  }

  /** Runs are the truth for the optimiser settings: first run → opt/lr/beta, others → compare. */
  function syncRunsIntoState(): void {
    const specs = manager.runs.map((r) => ({ ...r.spec }));
    if (specs.length > 0) {
      state.opt = specs[0].opt;
      state.lr = specs[0].lr;
      state.beta = specs[0].beta;
    }
    state.compare = specs.slice(1);
    changed();
  }

  let notifyTimer: ReturnType<typeof setTimeout> | null = null;
  function changed(): void {
    statusDirty = true;
    schedule();
    if (!opts.onStateChange || notifyTimer) return;
    notifyTimer = setTimeout(() => {
      notifyTimer = null;
      if (!destroyed) opts.onStateChange!(cloneState(state));
    }, 150);
  }

  function act(a: ToolAction): void {
    switch (a) {
      case 'play':
        manager.play();
        break;
      case 'pause':
        manager.pause();
        break;
      case 'step':
        // Step means "advance by hand": stop the clock first.
        if (manager.playing) manager.pause();
        manager.step(Math.max(1, state.eig_every));
        break;
      case 'reset':
        manager.reset();
        break;
      case 'add': {
        const r = manager.byId(selected) ?? manager.runs[0];
        const base: RunSpec = r ? { ...r.spec } : { opt: state.opt, lr: state.lr, beta: state.beta };
        if (base.opt === 'flow') base.opt = 'gd';
        const lr = Number((base.lr / 2).toPrecision(3));
        base.lr = Math.max(SCHEMA.lr.min, lr);
        const added = manager.addRun(base);
        if (added) selected = added.id;
        if (!manager.playing) manager.play();
        syncRunsIntoState();
        break;
      }
      case 'csv':
        downloadText(toCSV(manager.exportRuns()), 'eos-lab-runs.csv', 'text/csv');
        break;
      case 'json':
        downloadText(toJSON(manager.exportRuns(), toQuery(state)), 'eos-lab-runs.json', 'application/json');
        break;
      case 'png':
        download(charts.toPNG(), 'eos-lab-charts.png');
        break;
    }
    statusDirty = true;
    schedule();
  }

  function reportError(r: Run): void {
    const m = `${runLabel(r.spec)}: ${r.error}`;
    if (reported.has(m)) return;
    reported.add(m);
    messages.show('A run could not continue:', [m]);
  }

  // ------------------------------------------------------------------ drawing

  function schedule(): void {
    if (destroyed) return;
    charts.invalidate();
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const t = performance.now();
      // Text readouts at most every STATUS_EVERY_MS unless something structural changed.
      if (statusDirty || t - lastStatus > STATUS_EVERY_MS) renderStatus(t);
    });
  }

  function renderStatus(t: number): void {
    lastStatus = t;
    statusDirty = false;
    if (!manager.byId(selected)) selected = manager.runs[0]?.id ?? -1;
    const r = manager.byId(selected);
    toolbar.update(manager.playing, state.preset, state.speed, manager.runs.length < MAX_RUNS);
    runList.update(manager.runs, selected, manager.playing);
    const spec = r ? r.spec : { opt: state.opt, lr: state.lr, beta: state.beta };
    controls.update(state, spec, r ? runLabel(r.spec) : '', r ? r.color : 'currentColor');
  }

  // ------------------------------------------------------------------ start

  manager.load(state);
  selected = manager.runs[0]?.id ?? -1;
  charts.setRuns(manager.runs);
  if (opts.autoplay !== false) manager.play();
  renderStatus(performance.now());

  return {
    manager,
    charts,
    state: () => cloneState(state),
    messages: () => messages.texts,
    runs: () => manager.exportRuns(),
    selected: () => selected,
    select: (id) => {
      if (manager.byId(id)) selected = id;
      statusDirty = true;
      schedule();
    },
    setLr: (lr) => {
      const r = manager.byId(selected);
      if (!r) return;
      manager.setLr(r.id, lr);
      syncRunsIntoState();
    },
    preset: applyPreset,
    destroy: () => {
      destroyed = true;
      if (frame) cancelAnimationFrame(frame);
      if (notifyTimer) clearTimeout(notifyTimer);
      if (lrTimer) clearTimeout(lrTimer);
      manager.dispose();
      charts.destroy();
      root.replaceChildren();
    },
  };
}
