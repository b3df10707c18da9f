// The app: composes toolbar, run list, charts, settings and explanation inside a root
// element and wires them to an AppModel (runs and settings, no DOM). No globals:
// everything hangs off the returned handle, so the page (main.ts), an <eos-lab>
// element and the embed page each mount their own instance. Which controls and parts
// are shown is an option (`visible`), so an embedding says what it wants instead of
// reaching into the app's DOM.

import { ChartBoard } from '../charts/board';
import { SweepChart, type SweepSummary, sweepSummary } from '../charts/sweep';
import { type DataChartStats, DataChart, MIN_GAP_MS } from '../charts/data';
import { ValleyChart } from '../charts/valley';
import { type Guide, STALL_LINE, guideFor } from '../runs/guide';
import type { ExportedRun } from '../runs/export';
import { toCSV, toJSON } from '../runs/export';
import { type Run, type WorkerFactory, busyText, lrInForce, runLabel, thresholdInForce } from '../runs/run';
import type { RunStatus } from '../engine/protocol';
import { type AppState, type PresetName, MAX_RUNS } from '../state/schema';
import type { ChartKind } from '../state/schema';
import { toQuery } from '../state/url';
import { ControlsPanel } from './controls';
import { download, downloadText, h } from './dom';
import { mountExplanation, setExplainLive } from './explain';
import { LrBar } from './lrbar';
import { Messages } from './messages';
import { AppModel } from './model';
import { RunList } from './runlist';
import { type ToolAction, type ToolPart, Toolbar } from './toolbar';
import { Refresher, Throttle } from './timing';
import { SavedRuns } from './saved';
import type { RecordArrays } from '../runs/records';

/** What an embedding shows. Control names: play, speed, preset, export, depth, or a schema key. */
export interface Visibility {
  controls: 'all' | readonly string[];
  /** Parts left out. */
  hide?: readonly ('runs' | 'explain')[];
  /** The explanation folded into a "What am I looking at?" disclosure. */
  foldExplanation?: boolean;
}

export interface AppOptions {
  initial: AppState;
  /** Problems found while reading the initial state (shown at the top). */
  messages?: string[];
  createWorker: WorkerFactory;
  /** Called (throttled) whenever the state that a link should reproduce changes. */
  onStateChange?: (s: AppState) => void;
  /** Start playing at once (default true). */
  autoplay?: boolean;
  /** Default: every control and part. */
  visible?: Visibility;
}

/** Cheap per-run progress (no record arrays), for polling by tests and embedders. */
export interface RunSummary {
  id: number;
  label: string;
  status: RunStatus;
  /** The slow engine call in progress ("computing λ₁…λ₁₀ · 38 HVPs · 12 s"), or null. */
  busy: string | null;
  error: string | null;
  rows: number;
  step: number;
  lr: number;
  sharpness: number;
  threshold: number;
  /** The run's worker's WebAssembly memory, bytes (0 before its first report). */
  wasmBytes: number;
}

export interface AppHandle {
  state(): AppState;
  messages(): string[];
  runs(): ExportedRun[];
  status(): RunSummary[];
  selected(): number;
  select(id: number): void;
  /** Same path as the η control, for the selected run. */
  setLr(lr: number): void;
  /** Live mini-batch size (0 = full batch) for every GD-type run, as the settings control does. */
  setBatch(batch: number): void;
  /** The sweep chart's points (settled sharpness per GD run) and gradient flow's sharpness. */
  sweep(): SweepSummary;
  /** What the page suggests per run (edge reached, "Halve η now", stall after lowering η). */
  guides(): Guide[];
  /** Applies a preset (as the preset menu does). */
  preset(name: PresetName): void;
  play(): void;
  pause(): void;
  reset(): void;
  playing(): boolean;
  /** Saved runs loaded back (frozen): their file, settings (as a query) and records. */
  saved(): { label: string; file: string; query: string; records: RecordArrays }[];
  /** The data chart's state and redraw timings (ms), or null when it is not shown. */
  dataChart(): DataChartStats | null;
  /** Redraws the data chart n times in one task (benchmarks); the wall ms taken, NaN when it is not shown. */
  drawData(n: number): number;
  /** Chart draw timings since load (ms). */
  drawStats(): { draws: number; totalMs: number; maxMs: number; reset(): void };
  /** The datasets a chart draws (label, finite points, dashed or not): e.g. the dashed held-out loss. */
  chartSets(kind: ChartKind): { label: string; points: number; dashed: boolean }[];
  setVisible(v: Visibility): void;
  destroy(): void;
}

const LR_EVERY_MS = 250;
const NOTIFY_AFTER_MS = 150;
const TOOL_PARTS: readonly ToolPart[] = ['play', 'speed', 'preset', 'export'];

export function mountApp(root: HTMLElement, opts: AppOptions): AppHandle {
  root.classList.add('eos-app');
  const msgEl = h('div', {});
  const toolEl = h('div', {});
  const runsEl = h('section', { 'aria-label': 'Runs' });
  const chartsEl = h('section', { 'aria-label': 'Charts' });
  const controlsEl = h('aside', { 'aria-label': 'Settings' });
  const explainEl = h('aside', { 'aria-label': 'Explanation' });
  /** The explanation, or the disclosure it is folded into. */
  let explainBox: HTMLElement = explainEl;
  root.append(
    msgEl,
    toolEl,
    h('div', { class: 'eos-layout' }, h('div', { class: 'eos-main' }, runsEl, chartsEl), controlsEl, explainEl),
  );
  // The η bar sits above the charts and stays in view while they scroll.
  const lrBar = new LrBar({ onLr: (lr) => setLr(lr), onHalve: () => halve() });
  chartsEl.before(lrBar.el);
  let sweepChart: SweepChart | null = null;
  let dataChart: DataChart | null = null;
  let valleyChart: ValleyChart | null = null;

  const messages = new Messages(msgEl);
  if (opts.messages?.length) messages.show('Some settings in the link were invalid and replaced by defaults:', opts.messages);
  const reported = new Set<string>();
  const charts = new ChartBoard(chartsEl);
  // Saved runs loaded back from a JSON export: frozen, drawn with the live ones. Every
  // setRuns of the board gets them appended here, in one place.
  const saved = new SavedRuns({
    onChange: () => {
      charts.setRuns(model.manager.runs);
      charts.invalidate();
    },
    onApply: (s) => applyState(s),
  });
  const boardSetRuns = charts.setRuns.bind(charts);
  charts.setRuns = (runs) => boardSetRuns([...runs, ...saved.runs]);
  runsEl.after(saved.el);
  saved.acceptDrops(root);
  const view = new Refresher(() => render());

  // The model reports from its constructor on (the first runs): those are drawn below, once it exists.
  let ready = false;
  const model = new AppModel(opts.initial, opts.createWorker, (kind, run) => {
    if (!ready) return;
    if (kind === 'runs' || kind === 'reset') charts.setRuns(model.manager.runs);
    if (run?.status === 'failed' && run.error) report(run);
    view.schedule(kind !== 'data');
    charts.invalidate();
    dataChart?.invalidate();
  });
  ready = true;
  setKinds();
  charts.setXMode(model.view.x);
  charts.setRuns(model.manager.runs);

  /** The time-series charts (board) and the sweep chart, as the settings say. */
  function setKinds(): void {
    charts.setKinds(model.view.charts);
    const want = model.view.charts.includes('sweep');
    if (want && !sweepChart) sweepChart = new SweepChart(chartsEl);
    else if (!want && sweepChart) {
      sweepChart.destroy();
      sweepChart = null;
    }
    // The data chart goes after the time series; the runs send their fits only while it is shown.
    const wantData = model.view.charts.includes('data');
    if (wantData && !dataChart) dataChart = new DataChart(chartsEl);
    else if (!wantData && dataChart) {
      dataChart.destroy();
      dataChart = null;
    }
    if (dataChart) chartsEl.append(dataChart.figure);
    model.manager.setFit(dataChart ? MIN_GAP_MS : 0);
    const valley = model.view.charts.includes('valley');
    if (valley && !valleyChart) valleyChart = new ValleyChart(chartsEl);
    else if (!valley && valleyChart) {
      valleyChart.destroy();
      valleyChart = null;
    }
  }

  /** "Halve η now": the selected run's η in force, halved (3 significant digits), live. */
  function halve(): void {
    const r = model.selected;
    if (!r || r.spec.opt === 'flow') return;
    model.setLr(Number((lrInForce(r) / 2).toPrecision(3)));
    changed();
  }

  const notify = new Throttle(NOTIFY_AFTER_MS, () => opts.onStateChange?.(model.state()));
  const changed = () => {
    view.schedule(true);
    if (opts.onStateChange) notify.request();
  };
  // Live η from the slider: at most one change per LR_EVERY_MS (plus the last one), so a
  // drag or a run of arrow keys gives a few marked changes on the charts, not dozens.
  const liveLr = new Throttle(LR_EVERY_MS, () => {}, true);
  const setLr = (lr: number) =>
    liveLr.request(() => {
      model.setLr(lr);
      changed();
    });

  const toolbar = new Toolbar(toolEl, {
    onAction: act,
    onPreset: (p) => applyPreset(p),
    onSpeed: (s) => {
      model.setField('speed', s);
      changed();
    },
  });
  const runList = new RunList(runsEl, {
    onSelect: (id) => {
      model.select(id);
      view.schedule(true);
    },
    onRemove: (id) => {
      model.removeRun(id);
      view.now(); // the card goes at once, before the charts catch up
      changed();
    },
    onCentral: (id, on) => {
      model.setCentral(id, on);
      changed();
    },
  });
  const controls = new ControlsPanel(controlsEl, {
    onField: (key, value) => {
      const kind = model.setField(key, value);
      if (kind === 'view') {
        setKinds();
        charts.setXMode(model.view.x);
      } else if (kind === 'problem') {
        charts.setRuns(model.manager.runs);
      }
      changed();
    },
    onLr: setLr,
  });
  mountExplanation(explainEl);

  function applyPreset(name: PresetName): void {
    model.applyPreset(name);
    setKinds();
    charts.setXMode(model.view.x);
    charts.setRuns(model.manager.runs);
    changed();
  }

  /** "Apply these settings" of a saved run: a live run from them replaces the current ones. */
  function applyState(s: AppState): void {
    model.applyState(s);
    setKinds();
    charts.setXMode(model.view.x);
    charts.setRuns(model.manager.runs);
    changed();
  }

  function act(a: ToolAction): void {
    const m = model.manager;
    switch (a) {
      case 'play':
        m.play();
        view.now();
        break;
      case 'pause':
        m.pause();
        view.now(); // the reader sees it at once, whatever the engine is computing
        break;
      case 'step':
        model.step();
        break;
      case 'reset':
        m.reset();
        view.now();
        break;
      case 'add':
        model.addRun();
        changed();
        break;
      case 'csv':
        downloadText(toCSV(m.exportRuns()), 'eos-lab-runs.csv', 'text/csv');
        break;
      case 'json':
        // With the sweep chart shown, its points (settled median, 10th and 90th percentile per GD run) go along.
        downloadText(
          toJSON(m.exportRuns(), toQuery(model.state()), sweepChart ? { sweep: sweepSummary(m.runs) } : {}),
          'eos-lab-runs.json',
          'application/json',
        );
        break;
      case 'png':
        download(charts.toPNG([...(sweepChart ? [sweepChart.canvas] : []), ...(dataChart ? [dataChart.canvas] : []), ...(valleyChart ? [valleyChart.canvas] : [])]), 'eos-lab-charts.png');
        break;
      case 'load':
        saved.pick();
        break;
    }
    view.schedule(true);
  }

  /** The engine's message for a run that could not continue, in the message area too. */
  function report(r: Run): void {
    const m = `${runLabel(r.spec)}: ${r.error}`;
    if (reported.has(m)) return;
    reported.add(m);
    messages.show('A run could not continue:', [m]);
  }

  function render(): void {
    const m = model.manager;
    const sel = model.selected;
    toolbar.update(m.playing, model.view.preset, model.view.speed, m.runs.length < MAX_RUNS);
    runList.update(m.runs, sel?.id ?? -1, performance.now());
    controls.update(model.view, sel, sel ? runLabel(sel.spec) : '');
    lrBar.update(sel, sel ? guideFor(sel) : null);
    sweepChart?.update(m.runs);
    dataChart?.setRun(sel ?? null);
    valleyChart?.update(sel ?? m.runs[0]);
    const stalled = m.runs.find((r) => guideFor(r).stall?.stalled);
    setExplainLive(explainEl, stalled ? `${runLabel(stalled.spec)}: the sharpness stalled below the new 2/η. ${cap(STALL_LINE)}.` : '');
  }

  function setVisible(v: Visibility): void {
    const c = v.controls;
    toolbar.show(c === 'all' ? TOOL_PARTS : TOOL_PARTS.filter((p) => c.includes(p)));
    // The sticky η bar is the full page's; an embedding shows the η control it asked for.
    lrBar.el.classList.toggle('eos-off', c !== 'all');
    controls.show(c);
    runsEl.classList.toggle('eos-off', !!v.hide?.includes('runs'));
    if (v.foldExplanation && explainBox === explainEl) {
      const det = h('details', { class: 'eos-embed-explain' }, h('summary', {}, 'What am I looking at?'));
      explainEl.replaceWith(det);
      det.append(explainEl);
      explainBox = det;
    }
    explainBox.classList.toggle('eos-off', !!v.hide?.includes('explain'));
  }

  if (opts.visible) setVisible(opts.visible);
  if (opts.autoplay !== false) model.manager.play();
  render();

  return {
    state: () => model.state(),
    messages: () => messages.texts,
    runs: () => model.manager.exportRuns(),
    status: () => {
      const now = performance.now();
      return model.manager.runs.map((r) => ({
        id: r.id,
        label: runLabel(r.spec),
        status: r.status,
        busy: r.busy ? busyText(r.busy, now) : null,
        error: r.error,
        rows: r.records.rows,
        step: r.records.rows ? r.records.last('step') : -1,
        lr: lrInForce(r),
        sharpness: r.records.lastSharpness(),
        threshold: thresholdInForce(r),
        wasmBytes: r.info?.wasmBytes ?? 0,
      }));
    },
    selected: () => model.selected?.id ?? -1,
    select: (id) => {
      model.select(id);
      view.schedule(true);
    },
    setLr: (lr) => {
      model.setLr(lr);
      changed();
    },
    setBatch: (batch) => {
      if (model.setField('batch', batch) === 'problem') charts.setRuns(model.manager.runs);
      changed();
    },
    sweep: () => sweepSummary(model.manager.runs),
    guides: () => model.manager.runs.map(guideFor),
    preset: applyPreset,
    play: () => act('play'),
    pause: () => act('pause'),
    reset: () => act('reset'),
    playing: () => model.manager.playing,
    saved: () => saved.runs.map((r) => ({ label: runLabel(r.spec), file: r.file, query: toQuery(r.settings), records: r.records.toArrays() })),
    dataChart: () => (dataChart ? { ...dataChart.stats } : null),
    drawData: (n) => {
      if (!dataChart) return NaN;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) dataChart.draw();
      return performance.now() - t0;
    },
    drawStats: () => ({ ...charts.stats, reset: () => Object.assign(charts.stats, { draws: 0, totalMs: 0, maxMs: 0 }) }),
    chartSets: (kind) => charts.datasets(kind),
    setVisible,
    destroy: () => {
      view.stop();
      notify.cancel();
      liveLr.cancel();
      model.manager.dispose();
      charts.destroy();
      sweepChart?.destroy();
      dataChart?.destroy();
      valleyChart?.destroy();
      root.replaceChildren();
    },
  };
}

function cap(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}
