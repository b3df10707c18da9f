// The data chart: the training set with the network's fit drawn over it, for the run
// selected in the run list, as TensorFlow Playground draws it. 1-D inputs: the points, the
// target curve T_k and the network's curve. 2-D inputs: the points over a heatmap of the
// predicted class (the hue) and its margin (the strength), painted from an ImageData of
// one pixel per grid cell on a small canvas that is drawn scaled into the plot area (one
// image, not a rectangle per cell). Higher-dimensional inputs: the points on their first two
// principal components, coloured by label, without a boundary. A scrubber goes back over
// the stored snapshots, and two buttons show the fit just before the last loss spike and at
// its peak: at the Edge of Stability a spike is a jolt of the fitted function, after which
// the fit goes on improving (Cohen et al. 2021). Redrawn at most every MIN_GAP_MS.

import {
  Chart, type ChartConfiguration, type ChartDataset, Legend, LineElement, LinearScale, type Plugin, PointElement,
  ScatterController, Tooltip,
} from 'chart.js';
import type { DatasetView } from '../engine/protocol';
import { type FitHistory, type FitSnapshot, type Spike, lastSpikeOf } from '../runs/fits';
import { type Run, runLabel } from '../runs/run';
import { onChartFrame } from './frames';
import { CLASS_COLORS, type RGB, curveX, paintHeatmap, parseColor } from './heatmap';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export const DATA_TITLE = 'Data and the network’s fit';
/** Shortest time between two redraws (ms): a few per second is enough to watch a fit move. */
export const MIN_GAP_MS = 250;

type Pt = { x: number; y: number };
type DS = ChartDataset<'scatter', Pt[]>;

export interface DataChartStats {
  kind: string;
  /** Step of the snapshot on show (-1: none yet), and whether it is the latest. */
  step: number;
  live: boolean;
  draws: number;
  /** Main-thread time of the redraws (ms): total, worst, and the heatmap painting's share. */
  totalMs: number;
  maxMs: number;
  heatMs: number;
}

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: RGB;
}

export class DataChart {
  readonly figure: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly box: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly btnBefore: HTMLButtonElement;
  private readonly btnPeak: HTMLButtonElement;
  private readonly btnLive: HTMLButtonElement;
  // Made in a later frame than the figure (onChartFrame: one new chart per frame on the page),
  // so that mounting an <eos-lab> with the data view is not one long task. Until then the run,
  // the pin and the requests to redraw are only kept; the make draws what they say by then.
  private chart: Chart<'scatter', Pt[]> | null = null;
  private cancelMake: () => void;
  private readonly heat: HTMLCanvasElement;
  private img: ImageData | null = null;
  private run: Run | null = null;
  /** The dataset the chart's datasets were built for (null: none; undefined: to be built). */
  private shown: DatasetView | null | undefined = undefined;
  /** Step of the pinned snapshot, or null: follow the latest. */
  private pinned: number | null = null;
  private spike: Spike | null = null;
  /** Read when the chart is made (a later frame), not while the app mounts; used only once the chart exists. */
  private theme!: Theme;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private frame = 0;
  /** What the last draw showed (run, snapshot history version, pin): an unchanged picture is not redrawn. */
  private drawnKey = '';
  private lastDraw = -Infinity;
  private readonly mql: MediaQueryList | null;
  private readonly onScheme = () => {
    if (!this.chart) return; // the make reads the theme in force then
    this.theme = this.readTheme();
    this.applyTheme();
    this.shown = undefined; // colours of the datasets
    this.invalidate();
  };
  readonly stats: DataChartStats = { kind: '', step: -1, live: true, draws: 0, totalMs: 0, maxMs: 0, heatMs: 0 };

  constructor(parent: HTMLElement) {
    this.figure = document.createElement('figure');
    this.figure.className = 'eos-chart eos-chart-data';
    this.caption = document.createElement('figcaption');
    this.caption.textContent = DATA_TITLE;
    this.box = document.createElement('div');
    this.box.className = 'eos-chart-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${DATA_TITLE} chart`);
    this.box.append(this.canvas);
    const bar = document.createElement('div');
    bar.className = 'eos-data-bar';
    this.slider = document.createElement('input');
    this.slider.type = 'range';
    this.slider.min = '0';
    this.slider.step = '1';
    this.slider.setAttribute('aria-label', 'Fit snapshot');
    this.slider.addEventListener('input', () => {
      const h = this.history();
      const i = Number(this.slider.value);
      this.pinned = h && i < h.snaps.length - 1 ? h.snaps[i].step : null;
      this.redrawSoon();
    });
    const button = (text: string, title: string, on: () => void) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'eos-btn';
      b.textContent = text;
      b.title = title;
      b.addEventListener('click', on);
      return b;
    };
    this.btnBefore = button('Before last spike', 'The fit just before the last loss spike began', () => this.pin(true));
    this.btnPeak = button('At its peak', 'The fit at the top of the last loss spike', () => this.pin(false));
    this.btnLive = button('Live', 'Follow the run', () => {
      this.pinned = null;
      this.redrawSoon();
    });
    this.label = document.createElement('span');
    this.label.className = 'eos-data-label';
    this.label.setAttribute('aria-live', 'polite');
    bar.append(this.slider, this.btnBefore, this.btnPeak, this.btnLive, this.label);
    this.figure.append(this.caption, this.box, bar);
    parent.append(this.figure);
    this.heat = document.createElement('canvas');
    this.mql = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    this.mql?.addEventListener('change', this.onScheme);
    const heatPlugin: Plugin<'scatter'> = { id: 'eosHeatmap', beforeDatasetsDraw: (c) => this.drawHeat(c) };
    const config = (): ChartConfiguration<'scatter', Pt[]> => ({
      type: 'scatter',
      data: { datasets: [] },
      plugins: [heatPlugin],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          // The axes end at the view's bounds; ticks only at round values inside them.
          x: { type: 'linear', title: { display: true, text: 'x' }, ticks: { maxRotation: 0, includeBounds: false } },
          y: { type: 'linear', title: { display: true, text: 'y' }, ticks: { includeBounds: false } },
        },
        plugins: {
          legend: { position: 'top', align: 'end', labels: { boxWidth: 10 } },
          tooltip: { enabled: false },
        },
      },
    });
    this.cancelMake = onChartFrame(() => {
      this.theme = this.readTheme();
      this.chart = new Chart(this.canvas, config());
      this.applyTheme();
      this.draw(false);
    });
  }

  /** The run to show (the one selected in the run list), or null. */
  setRun(run: Run | null): void {
    if (run === this.run) return;
    this.run = run;
    this.pinned = null;
    this.shown = undefined;
    this.invalidate();
  }

  /** New data may have arrived: redraw, at most once every MIN_GAP_MS, and only if the picture changed. */
  invalidate(): void {
    if (this.timer !== null || this.frame) return;
    const wait = Math.max(0, this.lastDraw + MIN_GAP_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw(false);
      });
    }, wait);
  }

  /** Draws now (a control moved, an export); with force false, only when there is something new to show. */
  draw(force = true): void {
    const chart = this.chart;
    if (!chart) return; // not made yet: its make draws
    const h = this.history();
    const ds = h?.dataset ?? null;
    const key = `${this.run?.id ?? -1}:${h?.version ?? -1}:${this.pinned}:${ds === this.shown}:${this.run?.status}`;
    if (!force && key === this.drawnKey) return;
    this.drawnKey = key;
    const t0 = performance.now();
    let heatMs = 0;
    if (ds !== this.shown) this.build(chart, ds);
    const snap = this.snapshot(h);
    if (ds && snap) {
      if (ds.kind === 'grid') heatMs = this.paint(ds, snap);
      else if (ds.kind === 'curve') chart.data.datasets[1].data = this.curve(ds, snap);
    }
    this.controls(h, snap);
    chart.update('none');
    const ms = performance.now() - t0;
    this.lastDraw = performance.now();
    const st = this.stats;
    st.kind = ds?.kind ?? '';
    st.step = snap?.step ?? -1;
    st.live = this.pinned === null;
    st.draws++;
    st.totalMs += ms;
    st.maxMs = Math.max(st.maxMs, ms);
    st.heatMs += heatMs;
    this.figure.dataset.kind = st.kind;
    this.figure.dataset.step = String(st.step);
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.mql?.removeEventListener('change', this.onScheme);
    this.cancelMake();
    this.chart?.destroy();
    this.chart = null;
    this.figure.remove();
  }

  // ------------------------------------------------------------------ internals

  private history(): FitHistory | null {
    return this.run?.fit ?? null;
  }

  private redrawSoon(): void {
    requestAnimationFrame(() => this.draw());
  }

  private pin(before: boolean): void {
    const h = this.history();
    const sp = this.spike;
    if (!h || !sp || h.snaps.length === 0) return;
    this.pinned = h.snaps[before ? h.atOrBefore(sp.start) : h.atOrAfter(sp.peak)].step;
    this.redrawSoon();
  }

  private snapshot(h: FitHistory | null): FitSnapshot | null {
    if (!h || h.snaps.length === 0) return null;
    return this.pinned === null ? h.latest : h.snaps[h.atOrBefore(this.pinned)];
  }

  /** Datasets and axes for a dataset view (or none). */
  private build(chart: Chart<'scatter', Pt[]>, ds: DatasetView | null): void {
    this.shown = ds;
    const t = this.theme;
    const sets: DS[] = [];
    const sc = chart.options.scales as Record<'x' | 'y', { min?: number; max?: number; title: { text: string } }>;
    this.box.classList.toggle('eos-data-square', !!ds && ds.kind !== 'curve');
    if (ds) {
      const pts = (i: number): Pt => ({ x: ds.points[2 * i], y: ds.points[2 * i + 1] });
      if (ds.kind === 'curve') {
        const target = Array.from(ds.target, (y, c) => ({ x: curveX(ds, c), y }));
        sets.push({ label: 'target', data: target, showLine: true, pointRadius: 0, borderColor: t.muted, borderDash: [6, 4], borderWidth: 1.5 });
        sets.push({ label: 'network f(x)', data: [], showLine: true, pointRadius: 0, borderColor: this.run?.color ?? CLASS_COLORS[1], borderWidth: 2 });
        sets.push({
          label: 'training points', data: Array.from({ length: ds.n }, (_, i) => pts(i)), pointRadius: 3,
          backgroundColor: t.fg, borderColor: t.fg,
        });
        const pad = 0.3 * (ds.y1 - ds.y0);
        Object.assign(sc.x, { min: ds.x0, max: ds.x1 });
        Object.assign(sc.y, { min: ds.y0 - pad, max: ds.y1 + pad });
        sc.x.title.text = 'input x';
        sc.y.title.text = 'output';
      } else {
        const classes = ds.classification ? ds.dOut : 0;
        if (classes > 0) {
          for (let k = 0; k < classes; k++) {
            const data: Pt[] = [];
            for (let i = 0; i < ds.n; i++) if (ds.labels[i] === k) data.push(pts(i));
            const col = CLASS_COLORS[k % CLASS_COLORS.length];
            sets.push({ label: `class ${k}`, data, pointRadius: 3.5, backgroundColor: col, borderColor: t.fg, borderWidth: 1 });
          }
        } else {
          // Regression: each point's colour says its first target (orange < 0 < blue).
          const colors = Array.from({ length: ds.n }, (_, i) => (ds.Y[i * ds.dOut] >= 0 ? CLASS_COLORS[1] : CLASS_COLORS[0]));
          sets.push({ label: 'examples (colour: sign of y₁)', data: Array.from({ length: ds.n }, (_, i) => pts(i)), pointRadius: 3, backgroundColor: colors, borderColor: t.fg, borderWidth: 1 });
        }
        Object.assign(sc.x, { min: ds.x0, max: ds.x1 });
        Object.assign(sc.y, { min: ds.y0, max: ds.y1 });
        sc.x.title.text = ds.kind === 'grid' ? 'input x₁' : 'principal component 1';
        sc.y.title.text = ds.kind === 'grid' ? 'input x₂' : 'principal component 2';
        if (ds.kind === 'grid') {
          this.heat.width = ds.nx;
          this.heat.height = ds.ny;
          this.img = this.heat.getContext('2d')!.createImageData(ds.nx, ds.ny);
        }
      }
    }
    chart.data.datasets = sets;
  }

  private curve(ds: DatasetView, snap: FitSnapshot): Pt[] {
    const d = ds.dOut;
    return Array.from({ length: Math.min(ds.nx, snap.values.length / d) }, (_, c) => ({ x: curveX(ds, c), y: snap.values[c * d] }));
  }

  /** Paints the snapshot into the small canvas; returns the time it took (ms). */
  private paint(ds: DatasetView, snap: FitSnapshot): number {
    const t0 = performance.now();
    const img = this.img;
    if (!img) return 0;
    paintHeatmap(img, snap.values, ds.dOut, ds.classification, this.theme.bg, CLASS_COLORS.map((c) => parseColor(c)!));
    this.heat.getContext('2d')!.putImageData(img, 0, 0);
    return performance.now() - t0;
  }

  /** The plugin: the heatmap image, scaled into the plot area under the points. */
  private drawHeat(c: Chart): void {
    const ds = this.shown;
    if (!ds || ds.kind !== 'grid' || !this.snapshot(this.history())) return;
    const xs = c.scales.x;
    const ys = c.scales.y;
    const left = xs.getPixelForValue(ds.x0);
    const right = xs.getPixelForValue(ds.x1);
    const top = ys.getPixelForValue(ds.y1);
    const bottom = ys.getPixelForValue(ds.y0);
    const ctx = c.ctx;
    ctx.save();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.heat, left, top, right - left, bottom - top);
    ctx.restore();
  }

  private controls(h: FitHistory | null, snap: FitSnapshot | null): void {
    const n = h?.snaps.length ?? 0;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.value = String(this.pinned === null || !h ? Math.max(0, n - 1) : h.atOrBefore(this.pinned));
    this.slider.disabled = n < 2;
    this.spike = this.run && this.run.records.rows > 0 ? lastSpikeOf(this.run.records) : null;
    const can = !!this.spike && n > 0;
    this.btnBefore.disabled = !can;
    this.btnPeak.disabled = !can;
    this.btnLive.disabled = this.pinned === null;
    const who = this.run ? runLabel(this.run.spec) : 'no run';
    this.caption.textContent = `${DATA_TITLE} — ${who}`;
    if (!snap) {
      this.label.textContent = this.run ? 'waiting for the first fit…' : '';
      return;
    }
    const loss = Number.isFinite(snap.loss) ? ` · loss ${snap.loss.toPrecision(3)}` : '';
    const sp = this.spike ? ` · last spike: step ${this.spike.start}→${this.spike.peak}` : '';
    this.label.textContent = `step ${snap.step.toLocaleString('en-US')}${loss}${this.pinned === null ? ' (live)' : ''}${sp}`;
  }

  private readTheme(): Theme {
    const cs = getComputedStyle(this.figure.isConnected ? this.figure : document.documentElement);
    const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
    return { fg: v('--eos-fg', '#1f2328'), muted: v('--eos-muted', '#59636e'), grid: v('--eos-grid', 'rgba(0,0,0,0.08)'), bg: parseColor(v('--eos-bg', '#ffffff')) ?? [255, 255, 255] };
  }

  private applyTheme(): void {
    if (!this.chart) return;
    const t = this.theme;
    const sc = this.chart.options.scales as Record<string, { ticks: { color: string }; grid: { color: string }; title: { color: string } }>;
    for (const ax of ['x', 'y']) {
      sc[ax].ticks.color = t.muted;
      sc[ax].grid.color = t.grid;
      sc[ax].title.color = t.muted;
    }
    (this.chart.options.plugins!.legend!.labels as { color: string }).color = t.fg;
  }
}
