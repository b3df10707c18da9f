// The whole app state as ONE typed schema table: every engine config field
// (mirrors eos::Config, wasm/include/eoslab/config.hpp) plus the UI fields, each
// with its default, its allowed range or values, a label and a one-line doc.
// The same table drives URL (de)serialisation, the controls, validation messages,
// and later the <eos-lab> attribute reference (issue 6), so they cannot drift.
// Parsing never throws: an invalid value is reported (naming the parameter and
// its allowed range) and replaced by its default.

import type { EngineConfig } from '../engine/protocol';

export const DATASETS = [
  'chebyshev', 'moons', 'circles', 'spirals', 'xor', 'blobs', 'gaussian-mixture', 'teacher', 'linear',
] as const;
export const CLASSIFICATION_DATASETS: readonly string[] = [
  'moons', 'circles', 'spirals', 'xor', 'blobs', 'gaussian-mixture',
];
export const ACTIVATIONS = ['tanh', 'relu', 'elu', 'gelu', 'softplus', 'sigmoid', 'identity'] as const;
export const OPTIMISERS = ['gd', 'polyak', 'nesterov', 'flow'] as const;
export const CHART_KINDS = ['loss', 'sharpness', 'scaled'] as const;
export const PRESET_NAMES = ['eos', 'drop', 'momentum', 'ce', 'relu', 'diverge', 'figure1'] as const;

export type Optimiser = (typeof OPTIMISERS)[number];
export type ChartKind = (typeof CHART_KINDS)[number];
export type PresetName = (typeof PRESET_NAMES)[number];

/** One extra run of a comparison: same problem, its own optimiser settings. */
export interface RunSpec {
  opt: Optimiser;
  lr: number;
  beta: number;
}

/** Engine fields (EngineConfig, sent to the worker) and UI fields, flat, as they appear in the URL. */
export interface AppState extends EngineConfig {
  /** Narrower than the engine's string: the optimiser of the first run, one the UI offers. */
  opt: Optimiser;
  // --- run / UI ---
  steps: number;
  speed: number;
  lr_drop_at: number;
  lr_drop_factor: number;
  compare: RunSpec[];
  charts: ChartKind[];
  x: 'step' | 'time';
  preset: PresetName;
}

export type Group = 'data' | 'model' | 'optim' | 'measure' | 'run' | 'view';

interface Base<T> {
  label: string;
  doc: string;
  group: Group;
  default: T;
  /** true: sent to the engine as an EngineConfig field of the same name. */
  engine: boolean;
  /** Shown in the "advanced" part of the controls. */
  advanced?: boolean;
  /** Datasets for which this field matters (data fields only); absent = all. */
  datasets?: readonly string[];
  unit?: string;
}
export interface IntField extends Base<number> {
  kind: 'int';
  min: number;
  max: number;
}
export interface RealField extends Base<number> {
  kind: 'real';
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  /** Controls use a logarithmic slider. */
  log?: boolean;
}
export interface EnumField<T extends string = string> extends Base<T> {
  kind: 'enum';
  values: readonly T[];
}
export interface BoolField extends Base<boolean> {
  kind: 'bool';
}
export interface IntListField extends Base<number[]> {
  kind: 'intlist';
  min: number;
  max: number;
  minLen: number;
  maxLen: number;
}
export interface EnumListField<T extends string = string> extends Base<T[]> {
  kind: 'enumlist';
  values: readonly T[];
  minLen: number;
}
export interface RunListField extends Base<RunSpec[]> {
  kind: 'runlist';
  maxLen: number;
}
export type Field = IntField | RealField | EnumField | BoolField | IntListField | EnumListField | RunListField;

// Non-distributive ([T] extends [...]) so a union of string literals maps to ONE EnumField.
type FieldFor<T> = [T] extends [boolean]
  ? BoolField
  : [T] extends [number]
    ? IntField | RealField
    : [T] extends [RunSpec[]]
      ? RunListField
      : [T] extends [number[]]
        ? IntListField
        : [T] extends [(infer E extends string)[]]
          ? EnumListField<E>
          : [T] extends [string]
            ? EnumField<T>
            : never;

export type Schema = { [K in keyof AppState]: FieldFor<AppState[K]> };

const SEED_MAX = 4294967295; // seeds are 64-bit in the engine; the URL keeps them to 32 bits
const D2 = ['moons', 'circles', 'spirals', 'xor', 'blobs'];
export const MAX_RUNS = 8;

/** THE table. Object key order = display/doc order. */
export const SCHEMA: Schema = {
  dataset: {
    kind: 'enum', group: 'data', engine: true, default: 'chebyshev', values: DATASETS,
    label: 'Dataset', doc: 'Synthetic training set (full batch).',
  },
  n: {
    kind: 'int', group: 'data', engine: true, default: 20, min: 1, max: 10000,
    label: 'Examples n', doc: 'Number of training examples.',
  },
  degree: {
    kind: 'int', group: 'data', engine: true, default: 3, min: 0, max: 30, datasets: ['chebyshev'],
    label: 'Chebyshev degree', doc: 'Target T_k(x) on n points evenly spaced in [-1, 1].',
  },
  d: {
    kind: 'int', group: 'data', engine: true, default: 2, min: 1, max: 256,
    datasets: ['gaussian-mixture', 'teacher', 'linear'],
    label: 'Input dimension d', doc: 'Input dimension (gaussian-mixture, teacher, linear).',
  },
  classes: {
    kind: 'int', group: 'data', engine: true, default: 2, min: 1, max: 64,
    datasets: ['spirals', 'blobs', 'gaussian-mixture', 'teacher', 'linear'],
    label: 'Classes / outputs', doc: 'Classes (spirals, blobs, gaussian-mixture: 2–20) or outputs (teacher, linear: 1–64).',
  },
  noise: {
    kind: 'real', group: 'data', engine: true, default: 0.1, min: 0, max: 10,
    datasets: [...D2, 'gaussian-mixture'],
    label: 'Noise', doc: 'Input noise level.',
  },
  data_seed: {
    kind: 'int', group: 'data', engine: true, default: 0, min: 0, max: SEED_MAX,
    label: 'Data seed', doc: 'Seed of the dataset.',
  },
  widths: {
    kind: 'intlist', group: 'model', engine: true, default: [20], min: 1, max: 512, minLen: 1, maxLen: 6,
    label: 'Hidden widths', doc: 'Comma-separated hidden layer widths (depth = how many).',
  },
  act: {
    kind: 'enum', group: 'model', engine: true, default: 'tanh', values: ACTIVATIONS,
    label: 'Activation', doc: 'Hidden-layer activation.',
  },
  bias: {
    kind: 'bool', group: 'model', engine: true, default: true,
    label: 'Bias', doc: 'Layers have biases.',
  },
  init: {
    kind: 'enum', group: 'model', engine: true, default: 'pytorch', values: ['pytorch', 'normal'],
    label: 'Init', doc: "pytorch: U(±1/√fan_in) (nn.Linear's default); normal: N(0, scale²/fan_in).",
  },
  init_scale: {
    kind: 'real', group: 'model', engine: true, default: 1, min: 0, minOpen: true, max: 100, advanced: true,
    label: 'Init scale', doc: 'Multiplies the initial weights.',
  },
  loss: {
    kind: 'enum', group: 'model', engine: true, default: 'mse', values: ['mse', 'ce'],
    label: 'Loss', doc: 'mse: ½‖f(x) − y‖²; ce: softmax cross-entropy (classification datasets only).',
  },
  precision: {
    kind: 'enum', group: 'model', engine: true, default: 'float32', values: ['float32', 'float64'], advanced: true,
    label: 'Precision', doc: 'Floating-point type of the network (the paper used float32).',
  },
  opt: {
    kind: 'enum', group: 'optim', engine: true, default: 'gd', values: OPTIMISERS,
    label: 'Optimiser', doc: 'gd, polyak (heavy ball), nesterov, or flow (gradient flow, RK4).',
  },
  lr: {
    kind: 'real', group: 'optim', engine: true, default: 0.2, min: 1e-4, max: 100, log: true,
    label: 'Step size η', doc: 'Learning rate; the stability threshold is 2/η for GD. Live: changes a running run.',
  },
  beta: {
    kind: 'real', group: 'optim', engine: true, default: 0.9, min: 0, max: 0.99,
    label: 'Momentum β', doc: 'Momentum of polyak and nesterov.',
  },
  flow_alpha: {
    kind: 'real', group: 'optim', engine: true, default: 0.5, min: 0, minOpen: true, max: 10, advanced: true,
    label: 'Flow α', doc: 'Gradient flow RK4 step = min(α / sharpness, max step).',
  },
  flow_max_step: {
    kind: 'real', group: 'optim', engine: true, default: 0.1, min: 0, minOpen: true, max: 1000, advanced: true,
    label: 'Flow max step', doc: 'Largest RK4 step of gradient flow.',
  },
  seed: {
    kind: 'int', group: 'optim', engine: true, default: 0, min: 0, max: SEED_MAX,
    label: 'Seed', doc: 'Seed of the initial weights and of Lanczos.',
  },
  eig_every: {
    kind: 'int', group: 'measure', engine: true, default: 10, min: 0, max: 100000, unit: 'steps',
    label: 'Eigenvalues every', doc: 'Compute the top-k Hessian eigenvalues every this many steps (0 = never).',
  },
  neigs: {
    kind: 'int', group: 'measure', engine: true, default: 1, min: 1, max: 10,
    label: 'Top k eigenvalues', doc: 'How many top Hessian eigenvalues to track (k).',
  },
  lanczos_tol: {
    kind: 'real', group: 'measure', engine: true, default: 1e-3, min: 0, minOpen: true, max: 0.1, advanced: true,
    label: 'Lanczos tolerance', doc: 'Stop when ‖Hv − λv‖ ≤ tol·|λ| for the top k.',
  },
  lanczos_max_iter: {
    kind: 'int', group: 'measure', engine: true, default: 300, min: 2, max: 5000, advanced: true,
    label: 'Lanczos max HVPs', doc: 'Hessian-vector products per eigenvalue call at most (≥ k + 1).',
  },
  diverge_factor: {
    kind: 'real', group: 'measure', engine: true, default: 1e5, min: 1, minOpen: true, max: 1e12, advanced: true,
    label: 'Divergence factor', doc: 'A run has diverged when its loss exceeds this × the initial loss.',
  },
  steps: {
    kind: 'int', group: 'run', engine: false, default: 3000, min: 0, max: 1000000, unit: 'steps',
    label: 'Run length', doc: 'Stop each run after this many steps (0 = never stop).',
  },
  speed: {
    kind: 'int', group: 'run', engine: false, default: 300, min: 0, max: 100000, unit: 'steps/s',
    label: 'Speed', doc: 'Steps per second per run (0 = as fast as the engine goes).',
  },
  lr_drop_at: {
    kind: 'int', group: 'run', engine: false, default: 0, min: 0, max: 1000000, unit: 'step',
    label: 'Drop η at', doc: 'Multiply every run’s η by the drop factor when it reaches this step (0 = off).',
  },
  lr_drop_factor: {
    kind: 'real', group: 'run', engine: false, default: 0.5, min: 0, minOpen: true, max: 10,
    label: 'Drop factor', doc: 'Factor applied to η at the drop step.',
  },
  compare: {
    kind: 'runlist', group: 'run', engine: false, default: [], maxLen: MAX_RUNS - 1,
    label: 'Compare runs', doc: 'Extra runs on the same problem: opt:lr[:beta], comma-separated (e.g. gd:0.1,flow).',
  },
  charts: {
    kind: 'enumlist', group: 'view', engine: false, default: ['loss', 'sharpness', 'scaled'], values: CHART_KINDS, minLen: 1,
    label: 'Charts', doc: 'Charts shown: loss, sharpness, scaled (η·sharpness).',
  },
  x: {
    kind: 'enum', group: 'view', engine: false, default: 'step', values: ['step', 'time'],
    label: 'x axis', doc: 'step, or time = Σ η (continuous time, comparable across step sizes and with gradient flow).',
  },
  preset: {
    kind: 'enum', group: 'view', engine: false, default: 'eos', values: PRESET_NAMES,
    label: 'Preset', doc: 'Starting point; other parameters in the URL override it.',
  },
};

export const FIELD_KEYS = Object.keys(SCHEMA) as (keyof AppState)[];
export const ENGINE_KEYS = FIELD_KEYS.filter((k) => SCHEMA[k].engine) as (keyof EngineConfig & keyof AppState)[];

/** Deep copy of a state (lists are copied). */
export function cloneState(s: AppState): AppState {
  return {
    ...s,
    widths: [...s.widths],
    compare: s.compare.map((r) => ({ ...r })),
    charts: [...s.charts],
  };
}

export function defaultState(): AppState {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_KEYS) out[k] = structuredCloneValue(SCHEMA[k].default);
  return out as unknown as AppState;
}

function structuredCloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? { ...x } : x)) as T;
  return v;
}

// ------------------------------------------------------------------------------------
// Number formatting shared by messages and the URL (shortest round-trip form).

export function fmtNum(x: number): string {
  return String(x);
}

/** "[0, 10]", "(0, 100]" … */
export function rangeText(f: IntField | RealField): string {
  const lo = f.kind === 'real' && f.minOpen ? '(' : '[';
  const hi = f.kind === 'real' && f.maxOpen ? ')' : ']';
  return `${lo}${fmtNum(f.min)}, ${fmtNum(f.max)}${hi}`;
}

/** Human description of what a field accepts, used in every message. */
export function allowedText(f: Field): string {
  switch (f.kind) {
    case 'int':
      return `an integer in ${rangeText(f)}`;
    case 'real':
      return `a number in ${rangeText(f)}`;
    case 'enum':
      return `one of ${f.values.join('|')}`;
    case 'bool':
      return 'true|false (or 1|0)';
    case 'intlist':
      return `${f.minLen}–${f.maxLen} comma-separated integers in [${f.min}, ${f.max}]`;
    case 'enumlist':
      return `a comma-separated list of ${f.values.join('|')}`;
    case 'runlist':
      return `up to ${f.maxLen} runs opt:lr[:beta] (opt ${OPTIMISERS.join('|')}, lr in ${rangeText(SCHEMA.lr)}, beta in ${rangeText(SCHEMA.beta)})`;
  }
}

// ------------------------------------------------------------------------------------
// Value parsing: each returns the value or an error text. Never throws.

type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

function inRange(f: IntField | RealField, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  const lo = f.kind === 'real' && f.minOpen ? v > f.min : v >= f.min;
  const hi = f.kind === 'real' && f.maxOpen ? v < f.max : v <= f.max;
  return lo && hi;
}

function parseNumber(text: string): number {
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: accept only decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

function parseRunSpec(item: string): Parsed<RunSpec> {
  const parts = item.split(':');
  const opt = parts[0] as Optimiser;
  if (!OPTIMISERS.includes(opt)) return { ok: false, why: `run "${item}": optimiser must be one of ${OPTIMISERS.join('|')}` };
  if (parts.length > 3) return { ok: false, why: `run "${item}": expected opt:lr[:beta]` };
  let lr = SCHEMA.lr.default;
  if (parts.length >= 2) {
    lr = parseNumber(parts[1]);
    if (!inRange(SCHEMA.lr, lr)) return { ok: false, why: `run "${item}": lr must be ${allowedText(SCHEMA.lr)}` };
  } else if (opt !== 'flow') {
    return { ok: false, why: `run "${item}": needs a step size, e.g. ${opt}:0.1` };
  }
  let beta = SCHEMA.beta.default;
  if (parts.length === 3) {
    beta = parseNumber(parts[2]);
    if (!inRange(SCHEMA.beta, beta)) return { ok: false, why: `run "${item}": beta must be ${allowedText(SCHEMA.beta)}` };
  }
  return { ok: true, value: { opt, lr, beta } };
}

export function formatRunSpec(r: RunSpec): string {
  const defBeta = r.beta === SCHEMA.beta.default;
  if (r.opt === 'flow' && r.lr === SCHEMA.lr.default && defBeta) return 'flow';
  const base = `${r.opt}:${fmtNum(r.lr)}`;
  return defBeta ? base : `${base}:${fmtNum(r.beta)}`;
}

/** Parses one raw text for a field. Lists report their first bad item. */
export function parseField(f: Field, raw: string): Parsed<unknown> {
  switch (f.kind) {
    case 'int': {
      const v = parseNumber(raw);
      if (!Number.isInteger(v) || !inRange(f, v)) return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
      return { ok: true, value: v };
    }
    case 'real': {
      const v = parseNumber(raw);
      if (!inRange(f, v)) return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
      return { ok: true, value: v };
    }
    case 'enum':
      if (!f.values.includes(raw)) return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
      return { ok: true, value: raw };
    case 'bool': {
      const t = raw.trim().toLowerCase();
      if (t === 'true' || t === '1' || t === 'on') return { ok: true, value: true };
      if (t === 'false' || t === '0' || t === 'off') return { ok: true, value: false };
      return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
    }
    case 'intlist': {
      const items = raw.split(',');
      if (raw.trim() === '' || items.length < f.minLen || items.length > f.maxLen)
        return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
      const out: number[] = [];
      for (const it of items) {
        const v = parseNumber(it);
        if (!Number.isInteger(v) || v < f.min || v > f.max) return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
        out.push(v);
      }
      return { ok: true, value: out };
    }
    case 'enumlist': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length < f.minLen) return { ok: false, why: `"${raw}" is not ${allowedText(f)}` };
      const out: string[] = [];
      for (const it of items) {
        if (!f.values.includes(it)) return { ok: false, why: `"${raw}" is not ${allowedText(f)} ("${it}" is unknown)` };
        if (!out.includes(it)) out.push(it);
      }
      return { ok: true, value: out };
    }
    case 'runlist': {
      if (raw.trim() === '') return { ok: true, value: [] };
      const items = raw.split(',');
      if (items.length > f.maxLen) return { ok: false, why: `${items.length} runs given; ${allowedText(f)}` };
      const out: RunSpec[] = [];
      for (const it of items) {
        const r = parseRunSpec(it.trim());
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
  }
}

/** Text form of a field value for the URL (inverse of parseField). */
export function formatField(f: Field, v: unknown): string {
  switch (f.kind) {
    case 'int':
    case 'real':
      return fmtNum(v as number);
    case 'enum':
      return v as string;
    case 'bool':
      return v ? '1' : '0';
    case 'intlist':
      return (v as number[]).map(fmtNum).join(',');
    case 'enumlist':
      return (v as string[]).join(',');
    case 'runlist':
      return (v as RunSpec[]).map(formatRunSpec).join(',');
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Checks one already-typed value against its field (used for programmatic input). */
export function checkValue(f: Field, v: unknown): boolean {
  const r = parseField(f, formatField(f, v));
  return r.ok && sameValue(r.value, v);
}

// ------------------------------------------------------------------------------------
// Cross-field rules (the engine's validate() would reject these).

/** Fixes cross-field conflicts in place; returns one message per fix. */
export function reconcile(s: AppState): string[] {
  const msgs: string[] = [];
  const classification = CLASSIFICATION_DATASETS.includes(s.dataset);
  if (s.loss === 'ce' && !classification) {
    msgs.push(
      `loss: ce needs a classification dataset (${CLASSIFICATION_DATASETS.join('|')}), got dataset ${s.dataset}; using default mse`,
    );
    s.loss = 'mse';
  }
  if (['spirals', 'blobs', 'gaussian-mixture'].includes(s.dataset) && (s.classes < 2 || s.classes > 20)) {
    msgs.push(`classes: must be in [2, 20] for dataset ${s.dataset}, got ${s.classes}; using default ${SCHEMA.classes.default}`);
    s.classes = SCHEMA.classes.default;
  }
  if (s.dataset === 'linear' && s.n < s.d) {
    msgs.push(`d: the linear dataset needs n >= d, got n=${s.n}, d=${s.d}; using default d=${SCHEMA.d.default}`);
    s.d = SCHEMA.d.default;
    if (s.n < s.d) {
      msgs.push(`n: using default n=${SCHEMA.n.default} so that n >= d`);
      s.n = SCHEMA.n.default;
    }
  }
  if (s.lanczos_max_iter < s.neigs + 1) {
    msgs.push(
      `lanczos_max_iter: must be at least k + 1 = ${s.neigs + 1}, got ${s.lanczos_max_iter}; using default ${SCHEMA.lanczos_max_iter.default}`,
    );
    s.lanczos_max_iter = SCHEMA.lanczos_max_iter.default;
  }
  return msgs;
}

// ------------------------------------------------------------------------------------
// Presets. Each is a partial state over the defaults; `eos` is the defaults themselves.
// Which values show each regime was measured with the engine (see the report / docs).

export interface PresetInfo {
  title: string;
  blurb: string;
  values: Partial<AppState>;
}

export const PRESETS: Record<PresetName, PresetInfo> = {
  // Measured with the native CLI (float32, same engine). Default: Chebyshev T3 on 20 points,
  // 1-20-1 tanh, η 0.2: sharpness 6.3 at init, 0.95 × 2/η by step 730, 2/η by ~880, then a
  // sawtooth 0.94–1.05 × 2/η (0.97–1.03 over steps 2250–3000). Raising η to 0.3 at step 1000
  // catapults it down to ~5, from where it sharpens back to the new 2/η = 6.7 by step ~1550.
  // The other presets use 20-20 (sharpness 4.06 at init), which keeps sharpening to ~30 under
  // gradient flow, so lower step sizes have a threshold to reach.
  eos: {
    title: 'Progressive sharpening → Edge of Stability',
    blurb: 'GD on a small tanh network: the sharpness rises until it meets 2/η, then hovers there while the loss keeps falling.',
    values: {},
  },
  // η 0.2 → 0.1 at step 500: back to 0.95 × the new 2/η = 20 by step ~1400, then 0.99–1.02 ×.
  // (Dropping later, once the loss is small, stops the sharpening on this problem.)
  drop: {
    title: 'Step-size drop mid-run',
    blurb: 'η is halved at step 500: the sharpness rises again, to the new threshold 2/η = 20.',
    values: { widths: [20, 20], lr_drop_at: 500, lr_drop_factor: 0.5 },
  },
  // Heavy ball η 0.1, β 0.5 (20-20): threshold (2+2β)/η = 30, 0.95 × by step ~510, then 0.99–1.02 ×;
  // GD at the same η: 2/η = 20 by step ~730. (β 0.9 with η ≥ 0.25 sits on the edge of
  // divergence: it diverged in WASM at step 90 while the native build did not.)
  momentum: {
    title: 'Momentum (heavy ball)',
    blurb: 'Heavy-ball momentum settles at its own threshold (2 + 2β)/η = 30, above plain GD’s 2/η = 20 at the same η.',
    values: { widths: [20, 20], opt: 'polyak', lr: 0.1, beta: 0.5, compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] },
  },
  // Spirals, 100 points, tanh 32-32, CE, η 0.5: reaches 2/η = 4 near step 450, then 0.93–1.16 ×.
  ce: {
    title: 'Cross-entropy',
    blurb: 'Classification (two spirals) with softmax cross-entropy: the same edge of stability; under CE sharpness tends to fall late, as the loss goes to zero.',
    values: { dataset: 'spirals', n: 100, widths: [32, 32], loss: 'ce', lr: 0.5, steps: 5000 },
  },
  // ReLU 32-32, η 0.1: 2.7 at init, 0.95 × 2/η = 20 by step 680, then 0.99–1.02 ×, no spikes.
  relu: {
    title: 'ReLU network',
    blurb: 'Exact Hessian-vector products: no spurious spikes at ReLU kinks (finite differences show them).',
    values: { act: 'relu', widths: [32, 32], lr: 0.1 },
  },
  // η 1: 2/η = 2 is half the initial sharpness 4.06; the loss explodes at step 8 (native and
  // WASM alike). η 0.6 would only catapult (in WASM; native diverges): too close to call.
  diverge: {
    title: 'A diverging step size',
    blurb: 'η = 1 puts 2/η = 2 far below the initial sharpness: the loss explodes within a few steps and the run stops with “diverged”; the η = 0.2 run carries on.',
    values: { widths: [20, 20], lr: 1, compare: [{ opt: 'gd', lr: 0.2, beta: 0.9 }], steps: 2000 },
  },
  // Each GD run within 5% of its 2/η by step 240 (η 0.2), 730 (0.1), 1520 (0.0667);
  // gradient flow keeps sharpening (≈ 30 by step 3000).
  figure1: {
    title: 'Figure 1 in miniature',
    blurb: 'The same network at three step sizes, each sharpness settling at its own 2/η, and gradient flow, which keeps sharpening.',
    values: {
      widths: [20, 20],
      compare: [
        { opt: 'gd', lr: 0.1, beta: 0.9 },
        { opt: 'gd', lr: 0.0667, beta: 0.9 },
        { opt: 'flow', lr: 0.2, beta: 0.9 },
      ],
    },
  },
};

/** Defaults with a preset applied (the baseline that URL fields override). */
export function presetState(name: PresetName): AppState {
  const s = defaultState();
  const p = PRESETS[name].values;
  Object.assign(s, cloneState({ ...s, ...p } as AppState));
  s.preset = name;
  return s;
}

// ------------------------------------------------------------------------------------
// URL query <-> state.

export interface ParseResult {
  state: AppState;
  /** One message per rejected parameter, naming it and what it accepts. */
  messages: string[];
}

/** Parses a query string ("?lr=0.1&…" or URLSearchParams). Never throws. */
export function parseQuery(query: string | URLSearchParams): ParseResult {
  const messages: string[] = [];
  let params: URLSearchParams;
  try {
    params = typeof query === 'string' ? new URLSearchParams(query) : query;
  } catch {
    return { state: defaultState(), messages: ['the URL query could not be read; using defaults'] };
  }
  const seen = new Set<string>();
  // The preset first: it sets the baseline.
  let preset: PresetName = SCHEMA.preset.default;
  const presetRaw = params.get('preset');
  if (presetRaw !== null) {
    const r = parseField(SCHEMA.preset, presetRaw);
    if (r.ok) preset = r.value as PresetName;
    else messages.push(`preset: ${r.why}; using default ${SCHEMA.preset.default}`);
  }
  const state = presetState(preset);
  for (const [key, raw] of params) {
    if (key === 'preset') continue;
    if (seen.has(key)) {
      messages.push(`${key}: given more than once; using the first value`);
      continue;
    }
    seen.add(key);
    if (!(key in SCHEMA)) {
      messages.push(`${key}: unknown parameter, ignored`);
      continue;
    }
    const k = key as keyof AppState;
    const f = SCHEMA[k] as Field;
    const r = parseField(f, raw);
    if (r.ok) (state as unknown as Record<string, unknown>)[k] = r.value;
    else messages.push(`${k}: ${r.why}; using default ${formatField(f, state[k]) || '(none)'}`);
  }
  messages.push(...reconcile(state));
  return { state, messages };
}

/**
 * Query string (without "?") holding only the fields that differ from the preset's
 * baseline, in schema order, plus the preset itself unless it is the default.
 */
export function toQuery(s: AppState): string {
  const base = presetState(s.preset);
  const parts: string[] = [];
  if (s.preset !== SCHEMA.preset.default) parts.push(`preset=${s.preset}`);
  for (const k of FIELD_KEYS) {
    if (k === 'preset') continue;
    const f = SCHEMA[k] as Field;
    if (sameValue(s[k], base[k])) continue;
    parts.push(`${k}=${encodeQueryValue(formatField(f, s[k]))}`);
  }
  return parts.join('&');
}

/** encodeURIComponent, but keeps "," and ":" readable (both are legal in a query). */
function encodeQueryValue(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

// ------------------------------------------------------------------------------------
// Engine config and per-run settings.

/** EngineConfig of the problem for one run (the run's optimiser settings override the state's). */
export function engineConfig(s: AppState, run?: RunSpec): EngineConfig {
  const out: Record<string, unknown> = {};
  for (const k of ENGINE_KEYS) {
    const v = s[k];
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  if (run) {
    out.opt = run.opt;
    out.lr = run.lr;
    out.beta = run.beta;
  }
  return out as unknown as EngineConfig;
}

/** All runs described by a state: the first from opt/lr/beta, then `compare`. */
export function runSpecs(s: AppState): RunSpec[] {
  return [{ opt: s.opt, lr: s.lr, beta: s.beta }, ...s.compare.map((r) => ({ ...r }))];
}

/** Stability threshold on the sharpness (SCIENCE.md table); NaN for gradient flow. */
export function threshold(opt: string, lr: number, beta: number): number {
  switch (opt) {
    case 'gd':
      return 2 / lr;
    case 'polyak':
      return (2 + 2 * beta) / lr;
    case 'nesterov':
      return (2 + 2 * beta) / ((1 + 2 * beta) * lr);
    default:
      return NaN;
  }
}

/** The threshold on η·sharpness: 2 for GD, 2+2β for heavy ball, (2+2β)/(1+2β) for Nesterov. */
export function scaledThreshold(opt: string, beta: number): number {
  return threshold(opt, 1, beta);
}

// ------------------------------------------------------------------------------------
// Reference rows for generated docs (URL parameters now, <eos-lab> attributes later).

export interface SchemaRow {
  key: string;
  group: Group;
  label: string;
  default: string;
  allowed: string;
  doc: string;
  engine: boolean;
}

/** One row per field, in schema order, with the default and the allowed values as text. */
export function describeSchema(): SchemaRow[] {
  return FIELD_KEYS.map((k) => {
    const f = SCHEMA[k] as Field;
    return {
      key: k,
      group: f.group,
      label: f.label,
      default: formatField(f, f.default),
      allowed: allowedText(f),
      doc: f.doc,
      engine: f.engine,
    };
  });
}
