// The step-size sweep chart: "the step size wholly determines the sharpness" (Cohen et al.
// 2021, Section 3, Figure 1) as one picture. Each GD run is a point at x = 2/η, y = the
// median of its sharpness over its settled window (settled.ts), with a bar from the 10th to
// the 90th percentile; at the Edge of Stability the points lie on y = x. A horizontal line
// marks the sharpness gradient flow reaches on the same horizon: it has no threshold and
// keeps sharpening. The points are recomputed from the records as the runs go.

import {
  Chart, type ChartConfiguration, type ChartDataset, Legend, LineElement, LinearScale, type Plugin, PointElement,
  ScatterController, Tooltip,
} from 'chart.js';
import { columnArray, EIG_LR, EIG_STEP } from '../runs/records';
import { type Run, runLabel } from '../runs/run';
import { settledStats, type SettledStats } from './settled';
import { onChartFrame } from './frames';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface SweepPoint extends SettledStats {
  id: number;
  label: string;
  color: string;
  /** The step size in force at the last measurement, and its threshold 2/η. */
  lr: number;
  x: number;
}

export interface SweepSummary {
  points: SweepPoint[];
  /** Latest sharpness of the gradient-flow run (NaN if none yet or no flow run). */
  flow: number;
}

/**
 * One GD run's point. The threshold of plain GD is 2/η (Cohen et al. 2021, Eq. 1); with
 * momentum it is another, so only GD runs are points.
 */
export function sweepPoint(step: readonly number[], lr: readonly number[], eig1: readonly number[]): SettledStats & { lr: number; x: number } {
  const thr = lr.map((l) => 2 / l);
  const s = settledStats(step, eig1, thr);
  const last = lr.length ? lr[lr.length - 1] : NaN;
  return { ...s, lr: last, x: 2 / last };
}

/** The sweep as the chart draws it, from the runs' records. */
export function sweepSummary(runs: readonly Run[]): SweepSummary {
  const points: SweepPoint[] = [];
  let flow = NaN;
  for (const r of runs) {
    if (r.spec.opt === 'flow') {
      flow = r.records.lastSharpness();
      continue;
    }
    if (r.spec.opt !== 'gd') continue;
    const e = r.records.eigStore;
    const step = columnArray(e, EIG_STEP, 'last');
    if (step.length === 0) continue;
    const lr = columnArray(e, EIG_LR, 'last');
    const eig1 = Array.from({ length: step.length }, (_, i) => r.records.eig(i, 0));
    points.push({ id: r.id, label: runLabel(r.spec), color: r.color, ...sweepPoint(step, lr, eig1) });
  }
  return { points, flow };
}

type DS = ChartDataset<'scatter', { x: number; y: number }[]> & { eosBar?: [number, number] };

/** Draws each point's 10th–90th percentile bar. */
const barPlugin: Plugin<'scatter'> = {
  id: 'eosSweepBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const xs = chart.scales.x;
    const ys = chart.scales.y;
    ctx.save();
    chart.data.datasets.forEach((d) => {
      const ds = d as DS;
      if (!ds.eosBar || ds.data.length === 0) return;
      const px = xs.getPixelForValue(ds.data[0].x);
      const [lo, hi] = ds.eosBar.map((v) => ys.getPixelForValue(v));
      ctx.strokeStyle = String(ds.borderColor);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px, lo);
      ctx.lineTo(px, hi);
      ctx.moveTo(px - 5, lo);
      ctx.lineTo(px + 5, lo);
      ctx.moveTo(px - 5, hi);
      ctx.lineTo(px + 5, hi);
      ctx.stroke();
    });
    ctx.restore();
  },
};

export const SWEEP_TITLE = 'Step-size sweep — each GD run’s settled sharpness against its 2/η; dashed: y = x';

export class SweepChart {
  readonly figure: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** Made in a later frame than the figure (onChartFrame: one new chart per frame on the page). */
  private chart: Chart<'scatter', { x: number; y: number }[]> | null = null;
  private cancelMake: () => void;
  /** The runs of the last update() before the chart was made. */
  private runs: readonly Run[] | null = null;
  last: SweepSummary = { points: [], flow: NaN };

  constructor(parent: HTMLElement) {
    this.figure = document.createElement('figure');
    this.figure.className = 'eos-chart eos-chart-sweep';
    const cap = document.createElement('figcaption');
    cap.textContent = SWEEP_TITLE;
    const box = document.createElement('div');
    box.className = 'eos-chart-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${SWEEP_TITLE} chart`);
    box.append(this.canvas);
    this.figure.append(cap, box);
    parent.prepend(this.figure);
    // Styles are read when the chart is made (a later frame), not while the app mounts.
    const config = (): ChartConfiguration<'scatter', { x: number; y: number }[]> => {
      const cs = getComputedStyle(parent);
      const mut = muted(parent);
      const grid = cs.getPropertyValue('--eos-grid').trim() || 'rgba(0,0,0,0.08)';
      return {
        type: 'scatter',
        data: { datasets: [] },
        plugins: [barPlugin],
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            x: { type: 'linear', beginAtZero: true, title: { display: true, text: '2/η (the GD stability threshold)', color: mut }, ticks: { color: mut }, grid: { color: grid } },
            y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'settled λmax (median, 10–90%)', color: mut }, ticks: { color: mut }, grid: { color: grid } },
          },
          plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 10, color: mut } } },
        },
      };
    };
    this.cancelMake = onChartFrame(() => {
      this.chart = new Chart(this.canvas, config());
      if (this.runs) this.update(this.runs);
    });
  }

  set visible(on: boolean) {
    this.figure.classList.toggle('eos-off', !on);
  }

  /** Recomputes the points from the runs' records and redraws. */
  update(runs: readonly Run[]): void {
    const s = sweepSummary(runs);
    this.last = s;
    if (!this.chart) {
      this.runs = runs;
      return;
    }
    const pts = s.points.filter((p) => p.count > 0 && Number.isFinite(p.x));
    // Both axes on one round scale, so that y = x is the diagonal.
    const top = Math.ceil((Math.max(1, ...pts.map((p) => Math.max(p.x, p.p90)), Number.isFinite(s.flow) ? s.flow : 0) * 1.1) / 5) * 5;
    const sets: DS[] = [
      {
        label: 'y = x', data: [{ x: 0, y: 0 }, { x: top, y: top }], showLine: true, pointRadius: 0,
        borderColor: muted(this.figure), borderDash: [6, 4], borderWidth: 1.5,
      },
    ];
    if (Number.isFinite(s.flow)) {
      const flowRun = runs.find((r) => r.spec.opt === 'flow');
      sets.push({
        label: `gradient flow reaches ${s.flow.toPrecision(3)}`, data: [{ x: 0, y: s.flow }, { x: top, y: s.flow }], showLine: true,
        pointRadius: 0, borderColor: flowRun?.color ?? '#868e96', borderDash: [2, 3], borderWidth: 1.5,
      });
    }
    for (const p of pts) {
      sets.push({
        label: p.label, data: [{ x: p.x, y: p.median }], eosBar: [p.p10, p.p90], borderColor: p.color,
        // A run that has not reached its line yet is drawn hollow: its point is still moving.
        backgroundColor: p.reached ? p.color : 'transparent', pointRadius: 5, pointBorderWidth: 2,
      });
    }
    this.chart.data.datasets = sets;
    const sc = this.chart.options.scales!;
    (sc.x as { max?: number }).max = top;
    (sc.y as { max?: number }).max = top;
    this.chart.update('none');
  }

  destroy(): void {
    this.cancelMake();
    this.chart?.destroy();
    this.figure.remove();
  }
}

function muted(el: HTMLElement): string {
  return getComputedStyle(el).getPropertyValue('--eos-muted').trim() || '#59636e';
}
