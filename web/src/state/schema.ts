// The app state as ONE typed schema table (a little over 400 lines: the table and the
// text forms of its values belong together). Every engine field (type, default, range,
// label, doc, group, advanced, slider range, datasets) comes from the engine's own
// exported table (engine-schema.ts); this file adds only the page's fields (run length,
// speed, compare runs, charts, x axis, preset) and the text forms of values. The same
// table drives URL (de)serialisation (url.ts), the controls, the messages and the
// <eos-lab> attribute reference. Cross-field rules (ce needs a classification dataset,
// n ≥ d for linear, the memory estimate, …) are the engine's alone: the page shows the
// engine's message when it refuses a config. Parsing never throws.

import { ENGINE_SCHEMA, type EngineConfig, type EngineField } from './engine-schema';
import type { Field, Group, IntField, RealField, Schema } from './fields';
import { PAGE_DEFAULTS } from './page-defaults';
import { type SweepSpec, SWEEP_ALLOWED, formatSweep, parseSweep, sweepLrs } from './sweep';

export type {
  BoolField, EnumField, EnumListField, Field, Group, IntField, IntListField, RealField, RunListField, ScheduleField, Schema, SweepField,
} from './fields';
export type { SweepSpec } from './sweep';

type EngineFieldDef = EngineField;

/** The engine config as the page holds it: one value per engine field, literal types for enums. */
export type EngineValues = EngineConfig;
export type EngineKey = keyof EngineValues;

export type Optimiser = EngineValues['opt'];
export const CHART_KINDS = ['loss', 'sharpness', 'scaled', 'sweep', 'data', 'valley'] as const;
export const PRESET_NAMES = ['eos', 'drop', 'momentum', 'ce', 'relu', 'diverge', 'figure1', 'sweep', 'sgd', 'central', 'adam', 'rmsprop'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];
export type PresetName = (typeof PRESET_NAMES)[number];

/** The optimiser settings of one run (the first run's are opt/lr/beta, the others' `compare`). */
export interface RunSpec {
  opt: Optimiser;
  lr: number;
  beta: number;
  /** GD only: its central flow is integrated alongside (by a second worker) and drawn dashed. */
  central?: boolean;
}

/** Page-only fields (not sent to the engine). */
export interface PageValues {
  /** Run length: each run stops at this step (0 = never). */
  steps: number;
  speed: number;
  compare: RunSpec[];
  charts: ChartKind[];
  x: 'step' | 'time';
  preset: PresetName;
  /** A step-size sweep (n GD runs at log-spaced η plus gradient flow), or null. */
  sweep: SweepSpec | null;
  /** The first run (if GD) also integrates its central flow. */
  central: boolean;
}

/** Engine fields and page fields, flat, as they appear in the URL. */
export interface AppState extends EngineValues, PageValues {}


export const MAX_RUNS = 8;

function pageDefault(name: string, engineDefault: unknown): unknown {
  const d = (PAGE_DEFAULTS as Record<string, unknown>)[name];
  const v = d === undefined ? engineDefault : d;
  return Array.isArray(v) ? [...v] : v;
}

/** The page's form of one engine field (the engine's names in camelCase; nothing restated). */
function fromEngine(e: EngineFieldDef): Field {
  const o = e as unknown as Record<string, unknown>;
  const dflt = pageDefault(e.name, e.default) as never;
  const base = {
    label: e.label, doc: e.doc, group: e.group, engine: true, live: e.live, advanced: e.advanced,
    ...('datasets' in e ? { datasets: e.datasets } : {}),
    ...('unit' in e ? { unit: e.unit as string } : {}),
  };
  switch (e.type) {
    case 'int':
      return { ...base, kind: 'int', default: dflt, min: e.min, max: e.max };
    case 'real':
      return {
        ...base, kind: 'real', default: dflt, min: e.min, max: e.max,
        minOpen: o.min_open === true, maxOpen: o.max_open === true,
        ...(typeof o.ui_min === 'number' ? { uiMin: o.ui_min } : {}),
        ...(typeof o.ui_max === 'number' ? { uiMax: o.ui_max } : {}),
        ...(o.log === true ? { log: true } : {}),
        ...(typeof o.opt_defaults === 'object' && o.opt_defaults ? { optDefaults: o.opt_defaults as Record<string, number> } : {}),
      };
    case 'enum':
      return { ...base, kind: 'enum', default: dflt, values: e.values };
    case 'bool':
      return { ...base, kind: 'bool', default: dflt };
    case 'intlist':
      return { ...base, kind: 'intlist', default: dflt, min: e.min, max: e.max, minLen: e.min_len, maxLen: e.max_len };
    case 'schedule':
      return { ...base, kind: 'schedule', default: dflt };
  }
}

const ENGINE_FIELDS = Object.fromEntries(ENGINE_SCHEMA.fields.map((e) => [e.name, fromEngine(e)])) as Pick<Schema, EngineKey>;

const PAGE_FIELDS: Pick<Schema, keyof PageValues> = {
  steps: {
    kind: 'int', group: 'run', engine: false, default: 3000, min: 0, max: 1000000, unit: 'steps',
    label: 'Run length', doc: 'Stop each run after this many steps (0 = never stop).',
  },
  speed: {
    kind: 'int', group: 'run', engine: false, default: 300, min: 0, max: 100000, unit: 'steps/s',
    label: 'Speed', doc: 'Steps per second per run (0 = as fast as the engine goes).',
  },
  compare: {
    kind: 'runlist', group: 'run', engine: false, default: [], maxLen: MAX_RUNS - 1,
    label: 'Compare runs', doc: 'Extra runs on the same problem: opt:lr[:beta], comma-separated (e.g. gd:0.1,flow).',
  },
  charts: {
    kind: 'enumlist', group: 'view', engine: false, default: ['loss', 'sharpness', 'scaled'], values: CHART_KINDS, minLen: 1,
    label: 'Charts', doc: 'Charts shown: loss, sharpness, scaled (η·sharpness), sweep (each GD run’s settled sharpness against its 2/η), data (the training set and the selected run’s fit), valley (the loss along the top eigenvector and each step’s component along it).',
  },
  x: {
    kind: 'enum', group: 'view', engine: false, default: 'step', values: ['step', 'time'],
    label: 'x axis', doc: 'step, or time = Σ η (continuous time, comparable across step sizes and with gradient flow).',
  },
  preset: {
    kind: 'enum', group: 'view', engine: false, default: 'eos', values: PRESET_NAMES,
    label: 'Preset', doc: 'Starting point; other parameters in the URL override it.',
  },
  sweep: {
    kind: 'sweep', group: 'run', engine: false, default: null,
    label: 'Step-size sweep',
    doc: 'LO:HI:N runs N GD runs at log-spaced step sizes from LO to HI, plus gradient flow, on the same problem (replaces the runs).',
  },
  central: {
    kind: 'bool', group: 'run', engine: false, default: false,
    label: 'Central flow',
    doc: 'The first run (GD) also integrates its central flow, drawn dashed in its colour (other runs: gd:0.1:central in compare).',
  },
};

/** THE table: engine fields in the engine's order, then the page's. Key order = display/doc order. */
export const SCHEMA: Schema = { ...ENGINE_FIELDS, ...PAGE_FIELDS };

export const FIELD_KEYS = Object.keys(SCHEMA) as (keyof AppState)[];
export const ENGINE_KEYS = ENGINE_SCHEMA.fields.map((e) => e.name) as EngineKey[];
export const OPTIMISERS = SCHEMA.opt.values;

// ------------------------------------------------------------------------------------
// Per-optimiser defaults (the engine's table: rmsprop's β₂ is 0.99, adam's 0.999). A field
// that still holds the default of the optimiser it was set for counts as "not given": it
// follows the optimiser (the URL then omits it); any other value is explicit and stays.

/** Engine fields whose default depends on the optimiser. */
export const OPT_DEFAULT_KEYS: readonly EngineKey[] = ENGINE_KEYS.filter((k) => {
  const f = SCHEMA[k] as Field;
  return f.kind === 'real' && f.optDefaults !== undefined;
});

/** The default of an engine field for optimiser `opt` (the page's default when the table has none for it). */
export function defaultFor(key: EngineKey, opt: string): unknown {
  const f = SCHEMA[key] as Field;
  const per = f.kind === 'real' ? f.optDefaults?.[opt] : undefined;
  return per ?? f.default;
}

/**
 * The value of an optimiser-dependent field for a run with optimiser `opt` on state `s`:
 * s[key] if explicit, else `opt`'s default (s[key] is "not given" while it equals the
 * default of s.opt, the first run's optimiser).
 */
export function valueFor(s: Readonly<AppState>, key: EngineKey, opt: string): unknown {
  const v = s[key];
  return OPT_DEFAULT_KEYS.includes(key) && sameValue(v, defaultFor(key, s.opt)) ? defaultFor(key, opt) : v;
}

/**
 * Carries the optimiser-dependent fields of `s` from optimiser `from` to s.opt, in place:
 * each that `given` does not name and that holds `from`'s default takes s.opt's.
 */
export function followOpt(s: AppState, from: string, given: ReadonlySet<string> = new Set()): AppState {
  for (const k of OPT_DEFAULT_KEYS) {
    if (given.has(k) || !sameValue(s[k], defaultFor(k, from))) continue;
    (s as unknown as Record<string, unknown>)[k] = defaultFor(k, s.opt);
  }
  return s;
}

/** Deep copy of a state (lists are copied). */
export function cloneState(s: AppState): AppState {
  return {
    ...s,
    widths: [...s.widths],
    compare: s.compare.map((r) => ({ ...r })),
    charts: [...s.charts],
    sweep: s.sweep ? { ...s.sweep } : null,
  };
}

export function defaultState(): AppState {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_KEYS) out[k] = copyValue(SCHEMA[k].default);
  return out as unknown as AppState;
}

function copyValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? { ...x } : x)) as T;
  if (typeof v === 'object' && v) return { ...v };
  return v;
}

// ------------------------------------------------------------------------------------
// Text forms of values, shared by messages and the URL (shortest round-trip numbers).

export function fmtNum(x: number): string {
  return String(x);
}

/** "[0, 10]", "(0, 10000]" … */
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
    case 'schedule':
      return 'STEP:LR or STEP:xFACTOR, comma-separated (e.g. 500:x0.5), or empty';
    case 'enumlist':
      return `a comma-separated list of ${f.values.join('|')}`;
    case 'sweep':
      return SWEEP_ALLOWED;
    case 'runlist':
      return `up to ${f.maxLen} runs opt:lr[:beta][:central] (opt ${OPTIMISERS.join('|')}, lr in ${rangeText(SCHEMA.lr)}, beta in ${rangeText(SCHEMA.beta)}; :central for gd)`;
  }
}

// ------------------------------------------------------------------------------------
// Value parsing: each returns the value or an error text. Never throws.

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

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
  // gd:0.1:central (or gd:0.1:0.9:central): GD with its central flow alongside.
  const central = parts.length > 1 && parts[parts.length - 1] === 'central';
  if (central) {
    parts.pop();
    if (parts[0] !== 'gd') return { ok: false, why: `run "${item}": only gd runs have a central flow (e.g. gd:0.1:central)` };
  }
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
  return { ok: true, value: central ? { opt, lr, beta, central } : { opt, lr, beta } };
}

export function formatRunSpec(r: RunSpec): string {
  const defBeta = r.beta === SCHEMA.beta.default;
  if (r.opt === 'flow' && r.lr === SCHEMA.lr.default && defBeta) return 'flow';
  const base = `${r.opt}:${fmtNum(r.lr)}`;
  const text = defBeta ? base : `${base}:${fmtNum(r.beta)}`;
  return r.central && r.opt === 'gd' ? `${text}:central` : text;
}

/** The schedule's shape only (STEP:LR items); which steps and values are allowed is the engine's to say. */
const SCHEDULE_ITEM = /^\s*\d+\s*:\s*x?\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Parses one raw text for a field. Lists report their first bad item. */
export function parseField(f: Field, raw: string): Parsed<unknown> {
  const no = (): Parsed<unknown> => ({ ok: false, why: `"${raw}" is not ${allowedText(f)}` });
  switch (f.kind) {
    case 'int': {
      const v = parseNumber(raw);
      return Number.isInteger(v) && inRange(f, v) ? { ok: true, value: v } : no();
    }
    case 'real': {
      const v = parseNumber(raw);
      return inRange(f, v) ? { ok: true, value: v } : no();
    }
    case 'enum':
      return f.values.includes(raw) ? { ok: true, value: raw } : no();
    case 'bool': {
      const t = raw.trim().toLowerCase();
      if (t === 'true' || t === '1' || t === 'on') return { ok: true, value: true };
      if (t === 'false' || t === '0' || t === 'off') return { ok: true, value: false };
      return no();
    }
    case 'intlist': {
      const items = raw.split(',');
      if (raw.trim() === '' || items.length < f.minLen || items.length > f.maxLen) return no();
      const out: number[] = [];
      for (const it of items) {
        const v = parseNumber(it);
        if (!Number.isInteger(v) || v < f.min || v > f.max) return no();
        out.push(v);
      }
      return { ok: true, value: out };
    }
    case 'schedule': {
      const t = raw.trim();
      if (t === '') return { ok: true, value: '' };
      if (!t.split(',').every((it) => SCHEDULE_ITEM.test(it))) return no();
      return { ok: true, value: t.split(',').map((it) => it.replace(/\s+/g, '')).join(',') };
    }
    case 'enumlist': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length < f.minLen) return no();
      const out: string[] = [];
      for (const it of items) {
        if (!f.values.includes(it)) return { ok: false, why: `"${raw}" is not ${allowedText(f)} ("${it}" is unknown)` };
        if (!out.includes(it)) out.push(it);
      }
      return { ok: true, value: out };
    }
    case 'sweep': {
      const r = parseSweep(raw);
      return r.ok ? r : no();
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
    case 'schedule':
      return v as string;
    case 'bool':
      return v ? '1' : '0';
    case 'intlist':
      return (v as number[]).map(fmtNum).join(',');
    case 'enumlist':
      return (v as string[]).join(',');
    case 'runlist':
      return (v as RunSpec[]).map(formatRunSpec).join(',');
    case 'sweep':
      return formatSweep(v as SweepSpec | null);
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ------------------------------------------------------------------------------------
// Engine config and per-run settings.

/** The engine config of one run: the problem from `s`, the optimiser from `run`. */
export function engineConfig(s: AppState, run: RunSpec): EngineValues {
  const out: Record<string, unknown> = {};
  for (const k of ENGINE_KEYS) {
    const v = s[k];
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  // Fields whose default depends on the optimiser (β₂) take this run's unless given.
  for (const k of OPT_DEFAULT_KEYS) out[k] = valueFor(s, k, run.opt);
  out.opt = run.opt;
  out.lr = run.lr;
  // Adam's β is its β₁ (the live β control acts on it); the momentum β keeps the state's.
  if (run.opt === 'adam') out.beta1 = run.beta;
  else out.beta = run.beta;
  // Mini-batches are for the GD family: gradient flow follows the full-batch gradient, and
  // Adam/RMSProp/the central flow build their state from it (the engine refuses a batch there).
  if (run.opt !== 'gd' && run.opt !== 'polyak' && run.opt !== 'nesterov') out.batch = 0;
  // The valley chart needs each step's component along the top eigenvector (a view: results do not change).
  if (s.charts.includes('valley')) out.valley = true;
  return out as unknown as EngineValues;
}

/**
 * All runs described by a state: the first from opt/lr/beta, then `compare`; or, for a
 * sweep, its GD runs and one gradient-flow run (its time step the sweep's largest η).
 */
export function runSpecs(s: AppState): RunSpec[] {
  if (s.sweep) {
    const gd = sweepLrs(s.sweep).map((lr): RunSpec => ({ opt: 'gd', lr, beta: s.beta }));
    return [...gd, { opt: 'flow' as const, lr: s.sweep.hi, beta: s.beta }].slice(0, MAX_RUNS);
  }
  const beta = s.opt === 'adam' ? s.beta1 : s.beta;
  const first: RunSpec = s.central && s.opt === 'gd' ? { opt: s.opt, lr: s.lr, beta, central: true } : { opt: s.opt, lr: s.lr, beta };
  return [first, ...s.compare.map((r) => ({ ...r }))].slice(0, MAX_RUNS);
}

/** The state with its optimiser fields taken from `runs` (first run → opt/lr/beta, the rest → compare). */
export function withRuns(s: AppState, runs: readonly RunSpec[]): AppState {
  const out = cloneState(s);
  if (runs.length > 0) {
    const from = out.opt;
    out.opt = runs[0].opt;
    followOpt(out, from);
    out.lr = runs[0].lr;
    if (runs[0].opt === 'adam') out.beta1 = runs[0].beta;
    else out.beta = runs[0].beta;
    out.central = runs[0].opt === 'gd' && runs[0].central === true;
  }
  out.compare = runs.slice(1).map((r) => ({ ...r }));
  return out;
}

// ------------------------------------------------------------------------------------
// Reference rows for generated docs (URL parameters and <eos-lab> attributes).

export interface SchemaRow {
  key: string;
  group: Group;
  label: string;
  default: string;
  /** Per-optimiser defaults where they differ ("rmsprop: 0.99"). */
  optDefaults?: string;
  allowed: string;
  doc: string;
  engine: boolean;
}

/** "rmsprop: 0.99": the optimisers whose default differs from the field's, or '' if none. */
function optDefaultText(f: Field): string {
  if (f.kind !== 'real' || !f.optDefaults) return '';
  return Object.entries(f.optDefaults).map(([opt, v]) => `${opt}: ${fmtNum(v)}`).join(', ');
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
      ...(optDefaultText(f) ? { optDefaults: optDefaultText(f) } : {}),
      allowed: allowedText(f),
      doc: f.doc,
      engine: f.engine,
    };
  });
}
