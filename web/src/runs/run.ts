// One run as the page sees it: its colour, its optimiser settings (the one place where
// a run's opt, η and β live), its records, and its status in the protocol's vocabulary.
// Also the run's human label and the text of its status line.

import type { FromWorker, RunInfo, RunStatus, ToWorker } from '../engine/protocol';
import type { RunRecords } from './records';
import type { FitHistory } from './fits';
import type { RunSpec } from '../state/schema';

/** What the page needs of a Worker (a fake one in unit tests, a pooled one in <eos-lab>). */
export interface WorkerLike {
  postMessage(msg: ToWorker): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}
export type WorkerFactory = () => WorkerLike;

/** A slow engine call in progress (the worker's `busy` message, and when it arrived). */
export type Busy = Extract<FromWorker, { type: 'busy' }> & { at: number };

export interface Run {
  readonly id: number;
  color: string;
  /** The run's optimiser: opt, η (the reader's setting; a schedule changes the η in force) and β. */
  spec: RunSpec;
  records: RunRecords;
  /** 'idle' while its engine is being created. */
  status: RunStatus;
  /** The engine's latest report (η and threshold in force, step). */
  info: RunInfo | null;
  /** The engine's message when it refused the config or failed; or a refused live change. */
  error: string | null;
  /** A slow engine call the run is waiting for, or null. */
  busy: Busy | null;
  /** Step of the record where the loss blew up. */
  divergedAt: number | null;
  /** Steps per second actually achieved, over the last ~second. */
  stepsPerSecond: number;
  /** The step this run now stops at when a live change extended it past the run length, else null. */
  extendedTo: number | null;
  /** What the last live change did to the run's length ("η changed: running to step 4,850"), or null. */
  note: string | null;
  /** The data chart's pictures of this run (its dataset and fit snapshots), when that chart asked for them. */
  fit?: FitHistory | null;
  /** A GD run's central flow (spec.central), integrated by a second worker: its records, or null. */
  flow?: RunRecords | null;
  /** Why the central flow stopped (the engine's message), or null. */
  flowError?: string | null;
}

/** Colour-blind-friendly palette, readable on light and dark backgrounds. */
export const PALETTE = ['#3b82f6', '#e8590c', '#12a150', '#c2255c', '#7950f2', '#0c8599', '#b08800', '#868e96'];

export function fmtLr(lr: number): string {
  return Number(lr.toPrecision(3)).toString();
}

/**
 * The formula of a GD-type optimiser's stability threshold on the sharpness (Cohen et al. 2021,
 * Section 2 and the appendix on momentum): each is proportional to 1/η, so halving η doubles it.
 */
export function thresholdName(opt: RunSpec['opt']): string {
  if (opt === 'polyak') return '(2+2β)/η';
  if (opt === 'nesterov') return '(2+2β)/((1+2β)η)';
  // On the preconditioned sharpness λmax(P⁻¹H) (Cohen et al. 2022); β is Adam's β₁.
  if (opt === 'adam') return '(2+2β₁)/((1−β₁)η)';
  return '2/η';
}

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
    case 'central':
      return `Central flow η=${fmtLr(spec.lr)}`;
    case 'adam':
      return `Adam η=${fmtLr(spec.lr)} β₁=${spec.beta}`;
    case 'rmsprop':
      return `RMSProp η=${fmtLr(spec.lr)}`;
  }
}

/** η in force (after schedule changes), else the run's setting. */
export function lrInForce(r: Run): number {
  return r.info && Number.isFinite(r.info.lr) ? r.info.lr : r.spec.lr;
}

/** Stability threshold in force, as the engine reports it with every record (NaN for flow or before any). */
export function thresholdInForce(r: Run): number {
  if (r.records.rows > 0) return r.records.last('threshold');
  return r.info ? r.info.threshold : NaN;
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
function sub(n: number): string {
  return String(n).replace(/\d/g, (d) => SUB[Number(d)]);
}

/** "computing λ₁…λ₁₀ · 38 HVPs · 12 s" / "computing step 3 · 12 s" for a slow engine call. */
export function busyText(b: Busy, now: number): string {
  const s = Math.floor((b.ms + Math.max(0, now - b.at)) / 1000);
  if (b.what === 'eigs') {
    const which = b.k > 1 ? `λ₁…λ${sub(b.k)}` : 'λ₁';
    return `computing ${which} · ${b.hvps} HVPs · ${s} s`;
  }
  return `computing step ${b.step} · ${s} s`;
}

/** The run's status line. */
export function statusText(r: Run, now: number): string {
  const step = r.info?.step ?? 0;
  let text: string;
  switch (r.status) {
    case 'idle':
      text = 'starting…';
      break;
    case 'playing':
      text = `running · step ${step}`;
      break;
    case 'paused':
      text = `paused · step ${step}`;
      break;
    case 'done':
      text = `done · step ${step}`;
      break;
    case 'diverged':
      return `diverged at step ${r.divergedAt ?? step}`;
    case 'failed':
      return `failed: ${r.error ?? 'unknown error'}`;
  }
  return r.busy ? `${text} · ${busyText(r.busy, now)}` : text;
}
