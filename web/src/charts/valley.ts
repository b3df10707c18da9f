// The valley view: why the line sits at 2/η. Along the top eigenvector u the loss is,
// near the iterate, a valley of curvature λ (a parabola); a GD step multiplies the
// offset along u by (1 − ηλ), so once λ > 2/η the iterate is thrown from wall to wall
// and the component of each step along u flips sign every step (period 2). That bouncing
// is what pushes the sharpness back down (Damian, Nichani, Lee, "Self-Stabilization",
// ICLR 2023). For Adam and RMSProp the direction is the top eigenvector of P⁻¹H in the
// P-metric, whose curvature is the preconditioned sharpness (Cohen et al. 2022).
//
// Two small charts for the selected run: the engine's slice L(θ + s·d) with the parabola
// of the measured curvature and the last iterates as dots; and ⟨θₜ₊₁ − θₜ, u⟩ per step.

import {
  Chart, type ChartConfiguration, type ChartDataset, Legend, LineElement, LinearScale, PointElement, ScatterController, Tooltip,
} from 'chart.js';
import type { Run } from '../runs/run';
import { onChartFrame } from './frames';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

type Pt = { x: number; y: number };
type DS = ChartDataset<'scatter', Pt[]>;

/** The parabola L(θ) + g s + ½ λ s² over the slice's s values (g: the slope along u at θ). */
export function parabola(s: ArrayLike<number>, loss0: number, eig: number, g = 0): Pt[] {
  return Array.from(s, (x) => ({ x, y: loss0 + g * x + 0.5 * eig * x * x }));
}

/** The slice's slope at s = 0 by a central difference of its middle points. */
export function slopeAt0(s: ArrayLike<number>, loss: ArrayLike<number>): number {
  const m = (s.length - 1) / 2;
  if (s.length < 3 || !Number.isInteger(m)) return 0;
  return (loss[m + 1] - loss[m - 1]) / (s[m + 1] - s[m - 1]);
}

/** The slice's value at x (linear between its points; the parabola outside them). */
export function sliceAt(s: ArrayLike<number>, loss: ArrayLike<number>, x: number, loss0: number, eig: number): number {
  const n = s.length;
  if (n < 2 || x < s[0] || x > s[n - 1]) return loss0 + 0.5 * eig * x * x;
  let i = 1;
  while (i < n - 1 && s[i] < x) i++;
  const f = (x - s[i - 1]) / (s[i] - s[i - 1] || 1);
  return loss[i - 1] + f * (loss[i] - loss[i - 1]);
}

/** Fraction of consecutive pairs with opposite signs (NaN with fewer than two values). */
export function flipFraction(v: readonly number[]): number {
  let flips = 0;
  let pairs = 0;
  for (let i = 1; i < v.length; i++) {
    if (v[i] === 0 || v[i - 1] === 0) continue;
    pairs++;
    if (Math.sign(v[i]) !== Math.sign(v[i - 1])) flips++;
  }
  return pairs ? flips / pairs : NaN;
}

/** How many of the latest steps the projection chart shows. */
const SHOWN_STEPS = 120;

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(3))) : '–';
}

export class ValleyChart {
  readonly figure: HTMLElement;
  /** The slice's canvas (exports stack it with the other charts). */
  readonly canvas: HTMLCanvasElement;
  private readonly projCanvas: HTMLCanvasElement;
  private readonly note: HTMLElement;
  // Made in later frames than the figure, one at a time (onChartFrame: one new chart per
  // frame on the page), so that mounting an <eos-lab> with the valley view is not one long
  // task; update() draws once both exist.
  private slice: Chart<'scatter', Pt[]> | null = null;
  private proj: Chart<'scatter', Pt[]> | null = null;
  private cancelMake: () => void;
  private run: Run | undefined;
  private lastKey = '';

  constructor(parent: HTMLElement) {
    this.figure = document.createElement('figure');
    this.figure.className = 'eos-chart eos-chart-valley';
    const cap = document.createElement('figcaption');
    cap.textContent = 'Valley: the loss along the top eigenvector, and each step’s component along it';
    this.note = document.createElement('p');
    this.note.className = 'eos-valley-note';
    const box = (c: HTMLCanvasElement) => {
      const b = document.createElement('div');
      b.className = 'eos-chart-box';
      b.append(c);
      return b;
    };
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Valley: loss along the top eigenvector chart');
    this.projCanvas = document.createElement('canvas');
    this.projCanvas.setAttribute('role', 'img');
    this.projCanvas.setAttribute('aria-label', 'Component of each step along the top eigenvector chart');
    this.figure.append(cap, this.note, box(this.canvas), box(this.projCanvas));
    parent.append(this.figure);
    this.cancelMake = onChartFrame(() => {
      this.slice = new Chart(this.canvas, sliceConfig());
      this.cancelMake = onChartFrame(() => {
        this.proj = new Chart(this.projCanvas, projConfig());
        this.update(this.run);
      });
    });
  }

  /** Draws the run's latest slice and projections (cheap when nothing changed). */
  update(run: Run | undefined): void {
    this.run = run;
    if (!this.slice || !this.proj) return;
    const v = run?.records.valley ?? null;
    const u = run?.records.uProj;
    const key = `${run?.id}:${v?.step}:${u?.step.length}:${u?.step[u.step.length - 1]}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const sets = this.slice.data.datasets as DS[];
    const color = run?.color ?? '#888';
    if (!v || v.s.length === 0) {
      for (const d of sets) d.data = [];
      this.note.textContent = run ? 'Waiting for the engine’s first slice…' : 'No run.';
    } else {
      // Heights relative to L(θ): the valley's shape shows at any loss level. The iterates sit
      // on the valley at their offset along u (their own losses also carry the progress made
      // along the other directions).
      sets[0].data = Array.from(v.s, (x, i) => ({ x, y: v.loss[i] - v.loss0 }));
      sets[1].data = parabola(v.s, 0, v.eig, slopeAt0(v.s, v.loss));
      const n = v.iterS.length;
      const on = (x: number) => ({ x, y: sliceAt(v.s, v.loss, x, v.loss0, v.eig) - v.loss0 });
      sets[2].data = Array.from(v.iterS, on).slice(0, Math.max(0, n - 1));
      sets[3].data = n ? [on(v.iterS[n - 1])] : [];
      sets[0].borderColor = color;
      sets[3].backgroundColor = color;
      const what = v.preconditioned ? 'λmax(P⁻¹H), along d = P^-1/2 w (P-metric)' : 'λmax(H)';
      const thr = run ? run.records.last('threshold') : NaN;
      const uf = u ? flipFraction(u.value.slice(-SHOWN_STEPS)) : NaN;
      this.note.textContent =
        `step ${v.step}: curvature ${fmt(v.eig)} = ${what}; threshold ${fmt(thr)}. ` +
        `Sign flips of the step along u over the last ${Math.min(SHOWN_STEPS, u?.value.length ?? 0)} steps: ${Number.isFinite(uf) ? Math.round(100 * uf) + '%' : '–'}.`;
    }
    const ps = this.proj.data.datasets as DS[];
    if (u && u.step.length) {
      const from = Math.max(0, u.step.length - SHOWN_STEPS);
      ps[0].data = u.step.slice(from).map((x, i) => ({ x, y: u.value[from + i] }));
      ps[0].borderColor = color;
      ps[0].backgroundColor = color;
    } else ps[0].data = [];
    this.slice.update('none');
    this.proj.update('none');
  }

  destroy(): void {
    this.cancelMake();
    this.slice?.destroy();
    this.proj?.destroy();
    this.slice = this.proj = null;
    this.figure.remove();
  }
}

function axes(x: string, y: string, roundX = true): NonNullable<ChartConfiguration<'scatter', Pt[]>['options']>['scales'] {
  const ticks = { callback: (v: number | string) => String(Number(Number(v).toPrecision(2))) };
  return {
    x: { type: 'linear', title: { display: true, text: x }, ...(roundX ? { ticks } : {}) },
    y: { type: 'linear', title: { display: true, text: y }, ticks },
  };
}

function sliceConfig(): ChartConfiguration<'scatter', Pt[]> {
  return {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'L(θ + s·u) − L(θ)', data: [], showLine: true, pointRadius: 0, borderWidth: 2 },
        { label: 'tangent parabola, curvature λ', data: [], showLine: true, pointRadius: 0, borderWidth: 1.5, borderDash: [6, 4], borderColor: '#888' },
        { label: 'last iterates', data: [], pointRadius: 3, backgroundColor: 'rgba(120,120,120,0.7)' },
        { label: 'now', data: [], pointRadius: 5 },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: axes('s: offset along the top eigenvector u', 'loss − L(θ)'),
      plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 14, boxHeight: 2 } } },
    },
  };
}

function projConfig(): ChartConfiguration<'scatter', Pt[]> {
  return {
    type: 'scatter',
    data: { datasets: [{ label: '⟨θₜ₊₁ − θₜ, u⟩', data: [], showLine: true, pointRadius: 1.5, borderWidth: 1 }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: axes('step t', 'step along u', false),
      plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 14, boxHeight: 2 } } },
    },
  };
}
