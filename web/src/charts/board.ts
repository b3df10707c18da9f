// A small Chart.js wrapper for the three live charts (training loss, sharpness with
// its 2/η lines, η·sharpness with the constant threshold). Tree-shaken registration,
// no animation, no parsing, min-max decimation on a linear x axis, at most one update
// per animation frame, our own point arrays re-assigned to ds.data (decimation swaps
// ds.data for its own view). The arrays are bounded: they are built from the record store.
// η changes and divergence are drawn as vertical markers by a tiny inline plugin.
// Over 400 lines: the three charts share their axes, palette, plugins and export, and
// splitting them would only pass that state between files.

import {
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Decimation,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import { SeriesBuilder, axisRange, type Pt, type XMode } from './chartdata';
import { type Run, runLabel, fmtLr } from '../runs/run';
import { CENTRAL_COLUMNS, ROW_COLUMNS } from '../runs/records';
import type { ChartKind } from '../state/schema';
import { claimChartFrame, frameTurn } from './frames';
import type { RunRecords } from '../runs/records';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

/** Row column of a central flow's predicted average loss (its records' first extra column). */
const PRED_LOSS = ROW_COLUMNS.length + CENTRAL_COLUMNS.indexOf('pred_loss');

/** Legend of a central flow's dashed curves: what the curve is, and what it assumes. */
export function flowLabel(runLabel: string, chart: 'loss' | 'sharpness'): string {
  return chart === 'loss'
    ? `${runLabel} central flow: predicted average loss (assumes sustained oscillation)`
    : `${runLabel} central flow: sharpness`;
}

/** Longest pause between two draws when drawing is slow (ms). */
const MAX_DRAW_WAIT_MS = 250;

/** Extra per-dataset flags (Chart.js ignores unknown keys). */
type DS = ChartDataset<'line', Pt[]> & { eosMain?: boolean; eosThreshold?: boolean; eosTest?: boolean };

interface Marker {
  x: number;
  color: string;
  label: string;
  kind: 'lr' | 'diverged';
}

export const CHART_TITLES: Record<ChartKind, string> = {
  loss: 'Training loss',
  sharpness: 'Sharpness λmax(∇²L) — dashed: its threshold 2/η', // Adam, RMSProp: the legend names the preconditioned and the raw (dotted) series
  scaled: 'η · sharpness — dashed: 2 (GD), 2 + 2β (heavy ball)',
  sweep: 'Step-size sweep (drawn by charts/sweep.ts)',
  data: 'Data and the network’s fit (drawn by charts/data.ts)',
  valley: 'Valley (drawn by charts/valley.ts)',
};

const Y_TITLES: Record<ChartKind, string> = {
  loss: 'loss L(θ), log scale',
  sharpness: 'λmax (same units as 2/η)',
  scaled: 'η · λmax (dimensionless)',
  sweep: 'settled λmax',
  data: 'output',
  valley: 'loss',
};

const X_TITLES: Record<XMode, string> = {
  step: 'step t (iterations)',
  time: 'time Σ η (step × η)',
};

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
}

function readTheme(el: HTMLElement): Theme {
  const cs = getComputedStyle(el);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  return { fg: v('--eos-fg', '#1f2328'), muted: v('--eos-muted', '#59636e'), grid: v('--eos-grid', 'rgba(0,0,0,0.08)'), bg: v('--eos-bg', '#ffffff') };
}

// Markers are per chart instance; the plugin reads them from this map.
const markersOf = new WeakMap<Chart, Marker[]>();

const markerPlugin: Plugin<'line'> = {
  id: 'eosMarkers',
  afterDatasetsDraw(chart) {
    const ms = markersOf.get(chart);
    if (!ms || ms.length === 0) return;
    const { ctx, chartArea: a } = chart;
    const xs = chart.scales.x;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    let lastLabelX = -Infinity;
    for (const m of ms) {
      const px = xs.getPixelForValue(m.x);
      if (!(px >= a.left - 0.5 && px <= a.right + 0.5)) continue;
      ctx.strokeStyle = m.color;
      ctx.lineWidth = m.kind === 'diverged' ? 2 : 1.25;
      ctx.setLineDash(m.kind === 'diverged' ? [] : [2, 3]);
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.stroke();
      // Label unless it would overlap the previous one (a slider drag makes many).
      if (px - lastLabelX > 48) {
        ctx.fillStyle = m.color;
        const w = ctx.measureText(m.label).width;
        const lx = px + 3 + w > a.right ? px - 3 - w : px + 3;
        ctx.fillText(m.label, lx, a.top + 11);
        lastLabelX = px;
      }
    }
    ctx.restore();
  },
};

interface Panel {
  kind: ChartKind;
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  chart: Chart<'line', Pt[]>;
}

/** The chart area: one figure per visible chart kind, fed from the runs' records. */
export class ChartBoard {
  readonly root: HTMLElement;
  private panels: Panel[] = [];
  private builders = new Map<number, SeriesBuilder>();
  /** Per GD run with its central flow on: the flow's series (loss = its predicted average loss). */
  private flowBuilders = new Map<number, SeriesBuilder>();
  /** adam, rmsprop: the raw sharpness λmax(H), drawn beside the preconditioned one. */
  private rawBuilders = new Map<number, SeriesBuilder>();
  private runs: Run[] = [];
  private kinds: ChartKind[] = [];
  private mode: XMode = 'step';
  /** Timings of the drawing tasks (ms): one per frame that drew, or one per draw(). */
  readonly stats = { draws: 0, totalMs: 0, maxMs: 0 };
  private frame = 0;
  private dataDirty = false;
  /** Charts whose data changed since their last update. */
  private readonly pending = new Set<Panel>();
  private lastDrawMs = 0;
  private lastDrawEnd = -Infinity;
  private structureDirty = true;
  /** Read on first use (a chart is made in a later frame): reading computed styles right after
   * the board's DOM is inserted would force a style recalculation inside the mounting task. */
  private themeRead: Theme | null = null;
  private get theme(): Theme {
    return (this.themeRead ??= readTheme(this.root));
  }
  private set theme(t: Theme) {
    this.themeRead = t;
  }
  private readonly mql: MediaQueryList | null;
  private readonly onScheme = () => this.applyTheme();
  /**
   * Charts still to be made, in order, one per frame, so that mounting a board (an <eos-lab>
   * scrolled into view) is not one long task (a Chart.js chart's first layout costs about
   * 20 ms of CPU).
   */
  private toMake: ChartKind[] = [];
  /** Frames in a row this board gave up its turn (frameTurn). */
  private waited = 0;
  /** Frames in a row this board waited to make its next chart (claimChartFrame). */
  private makeWaited = 0;

  constructor(root: HTMLElement) {
    this.root = root;
    this.root.classList.add('eos-charts');
    this.mql = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    this.mql?.addEventListener('change', this.onScheme);
  }

  /** The runs to draw (call again after adding/removing runs or changing k). */
  setRuns(runs: Run[]): void {
    this.runs = [...runs];
    const ids = new Set(runs.map((r) => r.id));
    for (const id of [...this.builders.keys()]) if (!ids.has(id)) this.builders.delete(id);
    for (const r of runs) {
      const scaled = r.spec.opt !== 'flow';
      const b = this.builders.get(r.id);
      if (!b) this.builders.set(r.id, new SeriesBuilder(r.records.k, this.mode, scaled));
      else b.reset(this.mode, r.records.k, scaled); // settings may have changed: rebuild from records
      if (isAdaptive(r)) this.rawBuilders.set(r.id, new SeriesBuilder(r.records.k, this.mode, false));
      else this.rawBuilders.delete(r.id);
    }
    this.flowBuilders.clear();
    for (const r of runs) if (r.flow) this.flowBuilders.set(r.id, new SeriesBuilder(r.flow.k, this.mode, false, PRED_LOSS));
    for (const id of [...this.rawBuilders.keys()]) if (!ids.has(id)) this.rawBuilders.delete(id);
    this.structureDirty = true;
    this.invalidate();
  }

  /** Which charts are shown, in order. */
  setKinds(all: ChartKind[]): void {
    // The sweep chart is not a time series: the app draws it (charts/sweep.ts).
    const kinds = all.filter((k) => k !== 'sweep' && k !== 'data' && k !== 'valley'); // data: charts/data.ts, valley: charts/valley.ts
    if (kinds.join() === this.kinds.join()) return;
    this.kinds = [...kinds];
    for (const p of this.panels) {
      p.chart.destroy();
      p.figure.remove();
    }
    this.pending.clear();
    this.panels = [];
    this.toMake = [...kinds];
    this.structureDirty = true;
    this.invalidate();
  }

  /** Makes the next chart still to be made, if any. */
  private makeNext(): void {
    const k = this.toMake.shift();
    if (k === undefined) return;
    this.panels.push(this.makePanel(k));
    this.structureDirty = true;
    this.dataDirty = true;
  }

  setXMode(mode: XMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    for (const [id, b] of this.builders) {
      const r = this.runs.find((x) => x.id === id);
      b.reset(mode, r ? r.records.k : 1);
    }
    for (const [id, b] of this.flowBuilders) b.reset(mode, this.runs.find((x) => x.id === id)?.flow?.k ?? 1);
    for (const b of this.rawBuilders.values()) b.reset(mode);
    for (const p of this.panels) {
      const x = p.chart.options.scales!.x!;
      (x as { title: { text: string } }).title.text = X_TITLES[mode];
    }
    this.invalidate();
  }

  /** A run's records were cleared (reset/restart): rebuild its series. */
  resetRun(id: number): void {
    const r = this.runs.find((x) => x.id === id);
    this.builders.get(id)?.reset(this.mode, r ? r.records.k : 1, r ? r.spec.opt !== 'flow' : true);
    if (r?.flow) this.flowBuilders.get(id)?.reset(this.mode, r.flow.k, false);
    this.rawBuilders.get(id)?.reset(this.mode);
    this.invalidate();
  }

  /**
   * Schedules a redraw. New data is taken in at most once per animation frame, and the
   * charts are then updated one per frame (so no single task redraws all three), with
   * frames skipped while drawing is expensive (long runs on a slow machine) so that it
   * takes at most about a third of the main thread.
   */
  invalidate(): void {
    this.dataDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    const onFrame = (t: number) => {
      if (t - this.lastDrawEnd < Math.min(2 * this.lastDrawMs, MAX_DRAW_WAIT_MS)) {
        this.frame = requestAnimationFrame(onFrame);
        return;
      }
      if (!frameTurn(t, this.waited)) {
        this.waited++;
        this.frame = requestAnimationFrame(onFrame);
        return;
      }
      this.waited = 0;
      this.frame = 0;
      this.timed(() => this.frameWork(t));
      if (this.pending.size > 0 || this.toMake.length > 0) this.schedule();
    };
    this.frame = requestAnimationFrame(onFrame);
  }

  /** One frame's work: take in new data (marks every chart), then update one chart. */
  private frameWork(t = -1): void {
    // At most one new chart per frame on the whole page, as the frame's first work.
    if (this.toMake.length > 0) {
      if (claimChartFrame(t, this.makeWaited)) {
        this.makeWaited = 0;
        this.makeNext();
        return;
      }
      this.makeWaited++;
    }
    if (this.dataDirty) this.takeData();
    const p = this.pending.values().next().value;
    if (!p) return;
    this.pending.delete(p);
    this.updatePanel(p);
  }

  /** Draws every chart now (exports). */
  draw(): void {
    this.timed(() => {
      while (this.toMake.length > 0) this.makeNext();
      this.takeData();
      for (const p of this.panels) this.updatePanel(p);
      this.pending.clear();
    });
  }

  private timed(fn: () => void): void {
    const t0 = performance.now();
    fn();
    this.lastDrawEnd = performance.now();
    this.lastDrawMs = this.lastDrawEnd - t0;
    const st = this.stats;
    st.draws++;
    st.totalMs += this.lastDrawMs;
    st.maxMs = Math.max(st.maxMs, this.lastDrawMs);
  }

  private takeData(): void {
    this.dataDirty = false;
    for (const r of this.runs) this.builders.get(r.id)?.sync(r.records);
    for (const r of this.runs) if (r.flow) this.flowBuilders.get(r.id)?.sync(r.flow);
    for (const r of this.runs) {
      const rs = r.records.rawStore;
      if (rs) this.rawBuilders.get(r.id)?.sync(rawView(r.records, rs));
    }
    if (this.structureDirty) this.rebuildDatasets();
    else this.refreshData();
    for (const p of this.panels) this.pending.add(p);
  }

  private updatePanel(p: Panel): void {
    this.setMarkers(p);
    this.setYRange(p);
    p.chart.update('none');
  }

  /** All visible charts stacked into one PNG (data URL), on the page background. */
  toPNG(extra: readonly HTMLCanvasElement[] = []): string {
    this.draw();
    const cs = [...extra, ...this.panels.map((p) => p.canvas)];
    const w = Math.max(1, ...cs.map((c) => c.width));
    const h = cs.reduce((s, c) => s + c.height, 0) || 1;
    const out = document.createElement('canvas');
    out.width = w;
    out.height = h;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = this.theme.bg;
    ctx.fillRect(0, 0, w, h);
    let y = 0;
    for (const c of cs) {
      ctx.drawImage(c, 0, y);
      y += c.height;
    }
    return out.toDataURL('image/png');
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending.clear();
    this.toMake = [];
    this.mql?.removeEventListener('change', this.onScheme);
    for (const p of this.panels) {
      p.chart.destroy();
      p.figure.remove();
    }
    this.panels = [];
  }

  // ------------------------------------------------------------------ internals

  private makePanel(kind: ChartKind): Panel {
    const figure = document.createElement('figure');
    figure.className = `eos-chart eos-chart-${kind}`;
    const cap = document.createElement('figcaption');
    cap.textContent = CHART_TITLES[kind];
    const box = document.createElement('div');
    box.className = 'eos-chart-box';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${CHART_TITLES[kind]} chart`);
    box.append(canvas);
    figure.append(cap, box);
    this.root.append(figure);
    const t = this.theme;
    const cfg: ChartConfiguration<'line', Pt[]> = {
      type: 'line',
      data: { datasets: [] },
      plugins: [markerPlugin],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 2 } },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: X_TITLES[this.mode], color: t.muted },
            ticks: { color: t.muted, maxRotation: 0 },
            grid: { color: t.grid },
          },
          y: {
            type: kind === 'loss' ? 'logarithmic' : 'linear',
            title: { display: true, text: Y_TITLES[kind], color: t.muted },
            ticks:
              kind === 'loss'
                ? { color: t.muted, callback: (v, _i, ticks) => logTick(Number(v), ticks.map((x) => x.value)) }
                : { color: t.muted },
            grid: { color: t.grid },
            beginAtZero: kind !== 'loss',
          },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'min-max' },
          legend: {
            position: 'top',
            align: 'end',
            labels: {
              color: t.fg,
              boxWidth: 14,
              boxHeight: 2,
              filter: (item, data) => !!(data.datasets[item.datasetIndex!] as DS).eosMain,
            },
          },
          tooltip: {
            filter: (item) => !(item.dataset as DS).eosThreshold,
            callbacks: {
              label: (item) => `${item.dataset.label}: ${Number((item.parsed.y ?? NaN).toPrecision(4))}`,
            },
          },
        },
      },
    };
    const chart = new Chart(canvas, cfg);
    return { kind, figure, canvas, chart };
  }

  /** What a chart draws, per dataset: its label, points (finite y) and dash pattern (for tests). */
  datasets(kind: ChartKind): { label: string; points: number; dashed: boolean }[] {
    const p = this.panels.find((q) => q.kind === kind);
    if (!p) return [];
    return (p.chart.data.datasets as DS[]).map((d) => ({
      label: String(d.label ?? ''),
      points: (d.data ?? []).filter((pt) => Number.isFinite(pt.y)).length,
      dashed: Array.isArray(d.borderDash) && d.borderDash.length > 0,
    }));
  }

  /** Dataset list per chart: per run, the series it has on that chart. */
  private rebuildDatasets(): void {
    this.structureDirty = false;
    for (const p of this.panels) {
      const list: DS[] = [];
      for (const r of this.runs) {
        const b = this.builders.get(r.id);
        if (!b) continue;
        const s = b.s;
        const label = runLabel(r.spec);
        const base = { borderColor: r.color, backgroundColor: r.color, pointRadius: 0, fill: false } as const;
        const fb = this.flowBuilders.get(r.id);
        if (p.kind === 'loss') {
          list.push({ ...base, label, data: s.loss, borderWidth: 1.5, eosMain: true });
          // The held-out loss (n_test > 0), dashed in the run's colour.
          list.push({ ...base, label: `${label} test loss`, data: s.testLoss, borderWidth: 1.5, borderDash: [5, 4], eosTest: true });
          if (fb) list.push({ ...base, label: flowLabel(label, 'loss'), data: fb.s.loss, borderWidth: 2, borderDash: [6, 4], eosMain: true });
          continue;
        }
        const scaled = p.kind === 'scaled';
        if (scaled && r.spec.opt === 'flow') continue; // no η: nothing to scale by
        const eig = scaled ? s.scaledEig : s.eig;
        const ad = isAdaptive(r);
        eig.forEach((pts, j) => {
          list.push({
            ...base,
            label: j === 0 ? (ad ? `${label} ${PRE_LABEL}` : label) : `${label} λ${j + 1}`,
            data: pts,
            borderWidth: j === 0 ? 2 : 1,
            borderColor: j === 0 ? r.color : withAlpha(r.color, 0.55),
            eosMain: j === 0,
          });
        });
        const thr = scaled ? s.scaledThr : s.threshold;
        if (r.spec.opt !== 'flow') {
          list.push({
            ...base,
            label: ad ? `${label} ${thresholdLabel(r.spec.opt)}` : `${label} threshold`,
            data: thr.pts,
            borderWidth: 1.5,
            borderDash: [7, 5],
            eosThreshold: true,
            eosMain: ad, // in the legend, so that the line is named
          });
        }
        if (fb && !scaled) list.push({ ...base, label: flowLabel(label, 'sharpness'), data: fb.s.eig[0], borderWidth: 2, borderDash: [3, 3], eosMain: true });
        const raw = this.rawBuilders.get(r.id);
        if (raw && p.kind === 'sharpness') {
          list.push({ ...base, label: `${label} ${RAW_LABEL}`, data: raw.s.eig[0] ?? [], borderWidth: 1.5, borderDash: [2, 2], borderColor: withAlpha(r.color, 0.6), eosMain: true });
        }
      }
      p.chart.data.datasets = list;
    }
  }

  /** Re-assigns our arrays (Chart.js decimation swapped ds.data for its own view). */
  private refreshData(): void {
    for (const p of this.panels) {
      let d = 0;
      const sets = p.chart.data.datasets as DS[];
      for (const r of this.runs) {
        const b = this.builders.get(r.id);
        if (!b) continue;
        const s = b.s;
        const label = runLabel(r.spec); // η may have changed live
        const fb = this.flowBuilders.get(r.id);
        if (p.kind === 'loss') {
          if (sets[d]) {
            sets[d].data = s.loss;
            sets[d].label = label;
          }
          d++;
          if (sets[d]) {
            sets[d].data = s.testLoss;
            sets[d].label = `${label} test loss`;
          }
          d++;
          if (fb) {
            if (sets[d]) sets[d].data = fb.s.loss;
            d++;
          }
          continue;
        }
        const scaled = p.kind === 'scaled';
        if (scaled && r.spec.opt === 'flow') continue;
        (scaled ? s.scaledEig : s.eig).forEach((pts, j) => {
          if (sets[d]) {
            sets[d].data = pts;
            sets[d].label = j === 0 ? (isAdaptive(r) ? `${label} ${PRE_LABEL}` : label) : `${label} λ${j + 1}`;
          }
          d++;
        });
        if (r.spec.opt !== 'flow') {
          if (sets[d]) sets[d].data = (scaled ? s.scaledThr : s.threshold).pts;
          d++;
        }
        if (fb && !scaled) {
          if (sets[d]) sets[d].data = fb.s.eig[0];
          d++;
        }
        const raw = this.rawBuilders.get(r.id);
        if (raw && p.kind === 'sharpness') {
          if (sets[d]) sets[d].data = raw.s.eig[0] ?? [];
          d++;
        }
      }
    }
  }

  private setMarkers(p: Panel): void {
    const ms: Marker[] = [];
    for (const r of this.runs) {
      const b = this.builders.get(r.id);
      if (!b) continue;
      for (const m of b.s.markers) ms.push({ x: m.x, color: r.color, label: `η→${fmtLr(m.to)}`, kind: 'lr' });
      if (r.status === 'diverged' && r.records.rows > 0) {
        const x = this.mode === 'step' ? r.records.last('step') : r.records.last('time');
        ms.push({ x, color: r.color, label: `diverged @${r.divergedAt ?? ''}`, kind: 'diverged' });
      }
    }
    markersOf.set(p.chart, ms);
  }

  private setYRange(p: Panel): void {
    if (p.kind === 'loss') return;
    let maxData = -Infinity;
    let maxThr = -Infinity;
    for (const r of this.runs) {
      const b = this.builders.get(r.id);
      if (!b) continue;
      if (p.kind === 'scaled' && r.spec.opt === 'flow') continue;
      maxData = Math.max(maxData, p.kind === 'scaled' ? b.s.maxScaled : b.s.maxEig);
      const raw = this.rawBuilders.get(r.id);
      if (raw && p.kind === 'sharpness') maxData = Math.max(maxData, raw.s.maxEig);
      for (const pt of (p.kind === 'scaled' ? b.s.scaledThr : b.s.threshold).pts) if (pt.y > maxThr) maxThr = pt.y;
    }
    const y = p.chart.options.scales!.y as { max?: number; suggestedMax?: number };
    const r = axisRange(maxData, maxThr);
    y.max = r.max;
    y.suggestedMax = r.suggestedMax;
  }

  private applyTheme(): void {
    this.theme = readTheme(this.root);
    const t = this.theme;
    for (const p of this.panels) {
      const sc = p.chart.options.scales as Record<string, { ticks: { color: string }; grid: { color: string }; title: { color: string } }>;
      for (const ax of ['x', 'y']) {
        sc[ax].ticks.color = t.muted;
        sc[ax].grid.color = t.grid;
        sc[ax].title.color = t.muted;
      }
      const leg = p.chart.options.plugins!.legend!.labels as { color: string };
      leg.color = t.fg;
      p.chart.update('none');
    }
  }
}

/** adam and rmsprop: their sharpness line is λmax(P⁻¹H), with the raw λmax(H) beside it (Cohen et al. 2022). */
export function isAdaptive(r: Run): boolean {
  return r.spec.opt === 'adam' || r.spec.opt === 'rmsprop';
}
const PRE_LABEL = 'preconditioned λmax(P⁻¹H)';
const RAW_LABEL = 'raw λmax(H)';
function thresholdLabel(opt: string): string {
  return opt === 'adam' ? 'threshold (2+2β₁)/((1−β₁)η)' : 'threshold 2/η';
}

/** The records with the raw store in place of the eigenvalue store, for a SeriesBuilder. */
function rawView(r: RunRecords, raw: RunRecords['eigStore']): RunRecords {
  return { k: r.k, store: r.store, eigStore: raw } as unknown as RunRecords;
}

/**
 * Log-axis labels at powers of ten only (1, 0.1, 0.01, 1e-4 …), other ticks keep their grid
 * line; when the axis holds no power of ten (less than a decade shown), every tick is labelled.
 */
export function logTick(v: number, all: number[] = []): string {
  if (!(v > 0)) return '';
  const pow10 = (x: number) => x > 0 && Math.abs(Math.log10(x) - Math.round(Math.log10(x))) < 1e-9;
  if (!pow10(v)) return all.some(pow10) || all.length === 0 ? '' : String(Number(v.toPrecision(2)));
  const k = Math.round(Math.log10(v));
  return k >= -3 && k <= 4 ? String(Number((10 ** k).toPrecision(1))) : `1e${k}`;
}

/** '#rrggbb' + alpha → 'rgba(…)'. */
export function withAlpha(hex: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}
