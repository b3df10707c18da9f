// Unit tests of the app state schema (web/src/state/schema.ts, url.ts, presets.ts): every
// engine field is the engine's own (compared with ENGINE_SCHEMA field by field, and the
// page's source declares none of them), defaults, round trips, every invalid case per
// field kind (reported with the parameter name and range, replaced by the default),
// no cross-field rules of the page's own, presets, and "never throws".

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_SCHEMA } from '../../web/src/state/engine-schema';
import {
  type AppState, type Field, ENGINE_KEYS, FIELD_KEYS, MAX_RUNS, PRESET_NAMES, SCHEMA,
  allowedText, defaultState, describeSchema, engineConfig, formatField, parseField, rangeText, runSpecs, withRuns,
} from '../../web/src/state/schema';
import { PRESETS, presetState } from '../../web/src/state/presets';
import { PAGE_DEFAULTS } from '../../web/src/state/page-defaults';
import { sweepLrs } from '../../web/src/state/sweep';
import { parseQuery, toQuery } from '../../web/src/state/url';

/** A valid state where every field differs from its default. */
function everythingChanged(): AppState {
  return {
    dataset: 'gaussian-mixture', n: 333, degree: 7, d: 16, classes: 5, noise: 0.25, data_seed: 4294967295,
    widths: [64, 32, 16], act: 'gelu', bias: false, init: 'normal', init_scale: 0.5, loss: 'ce', precision: 'float64',
    opt: 'nesterov', lr: 0.0123, beta: 0.5, flow_alpha: 0.25, flow_max_step: 0.05, seed: 123456789,
    central_substeps: 8,
    eig_every: 25, neigs: 4, lanczos_tol: 1e-4, lanczos_max_iter: 120, diverge_factor: 1e7, lr_schedule: '300:x0.5,600:0.05',
    batch: 7, n_test: 50,
    beta1: 0.8, beta2: 0.99, eps: 1e-6, valley: true,
    steps: 12345, speed: 0,
    compare: [{ opt: 'gd', lr: 0.05, beta: 0.9, central: true }, { opt: 'polyak', lr: 0.01, beta: 0.3 }, { opt: 'flow', lr: 0.2, beta: 0.9 }],
    charts: ['sharpness', 'loss'], x: 'time', preset: 'relu', sweep: { lo: 0.05, hi: 0.4, n: 5 },
    central: true,
  };
}

describe('schema table', () => {
  it('has a valid default for every field', () => {
    for (const k of FIELD_KEYS) {
      const f = SCHEMA[k] as Field;
      const r = parseField(f, formatField(f, f.default));
      expect(r.ok, `${k} default ${JSON.stringify(f.default)}`).toBe(true);
      if (r.ok) expect(r.value).toEqual(f.default);
    }
  });

  it('takes every engine field from the engine\'s table, unchanged but for the page\'s measured default problem', () => {
    expect(ENGINE_KEYS).toEqual(ENGINE_SCHEMA.fields.map((e) => e.name));
    expect(FIELD_KEYS.slice(0, ENGINE_KEYS.length)).toEqual(ENGINE_KEYS);
    for (const e of ENGINE_SCHEMA.fields) {
      const f = SCHEMA[e.name] as Field & Record<string, unknown>;
      const o = e as unknown as Record<string, unknown>;
      expect(f.kind, e.name).toBe(e.type);
      expect(f.engine, e.name).toBe(true);
      const mine = (PAGE_DEFAULTS as Record<string, unknown>)[e.name];
      expect(f.default, e.name).toEqual(mine === undefined ? e.default : mine);
      for (const [mine, theirs] of [
        ['label', 'label'], ['doc', 'doc'], ['group', 'group'], ['advanced', 'advanced'], ['live', 'live'], ['min', 'min'],
        ['max', 'max'], ['values', 'values'], ['minLen', 'min_len'], ['maxLen', 'max_len'], ['uiMin', 'ui_min'],
        ['uiMax', 'ui_max'], ['unit', 'unit'], ['datasets', 'datasets'],
      ]) {
        expect(f[mine], `${e.name}.${mine}`).toEqual(o[theirs]);
      }
      expect(!!f.minOpen, `${e.name} min_open`).toBe(o.min_open === true);
      expect(!!f.maxOpen, `${e.name} max_open`).toBe(o.max_open === true);
      expect(!!f.log, `${e.name} log`).toBe(o.log === true);
    }
    const cfg = engineConfig(defaultState(), { opt: 'gd', lr: 0.3, beta: 0.5 });
    expect(Object.keys(cfg)).toEqual(ENGINE_KEYS);
    expect(cfg.widths).toEqual([32, 32, 32]);
    expect([cfg.degree, cfg.n, cfg.seed, cfg.dataset, cfg.act]).toEqual([5, 40, 1, 'chebyshev', 'tanh']);
    expect(SCHEMA.lr.default).toBe(0.3);
    expect(cfg.lr).toBe(0.3);
  });

  it('the page source restates no engine field (no range, default or doc of its own)', () => {
    const src = ['schema.ts', 'url.ts', 'presets.ts'].map((f) => readFileSync(new URL(`../../web/src/state/${f}`, import.meta.url), 'utf8'));
    for (const name of ENGINE_KEYS) {
      for (const text of src) expect(text, name).not.toMatch(new RegExp(`^\\s*${name}:\\s*\\{`, 'm'));
    }
    const pageOnly = FIELD_KEYS.filter((k) => !SCHEMA[k].engine);
    expect(pageOnly).toEqual(['steps', 'speed', 'compare', 'charts', 'x', 'preset', 'sweep', 'central']);
  });

  it('describeSchema gives one doc row per field with its default and allowed values', () => {
    const rows = describeSchema();
    expect(rows.map((r) => r.key)).toEqual(FIELD_KEYS);
    const lr = rows.find((r) => r.key === 'lr')!;
    expect(lr).toMatchObject({ default: '0.3', allowed: 'a number in (0, 10000]', engine: true, group: 'optim' });
    expect(rows.find((r) => r.key === 'widths')!.default).toBe('32,32,32');
    expect(rows.every((r) => r.doc.length > 5 && r.label.length > 0)).toBe(true);
  });

  it('describes ranges with open/closed brackets', () => {
    expect(rangeText(SCHEMA.lr)).toBe('(0, 10000]');
    expect(rangeText(SCHEMA.beta)).toBe('[0, 1)');
    expect(rangeText(SCHEMA.init_scale)).toBe('(0, 100]');
    expect(allowedText(SCHEMA.n)).toBe('an integer in [1, 20000]');
    expect(allowedText(SCHEMA.opt)).toBe('one of gd|polyak|nesterov|flow|adam|rmsprop|central');
  });
});

describe('URL round trip', () => {
  it('default state ↔ empty query, with no messages', () => {
    expect(toQuery(defaultState())).toBe('');
    const r = parseQuery('');
    expect(r.messages).toEqual([]);
    expect(r.state).toEqual(defaultState());
  });

  it('a state with every field changed survives toQuery → parseQuery exactly', () => {
    const s = everythingChanged();
    const q = toQuery(s);
    const r = parseQuery(`?${q}`);
    expect(r.messages).toEqual([]);
    expect(r.state).toEqual(s);
    // seeds and floats are kept exactly
    expect(q).toContain('seed=123456789');
    expect(q).toContain('data_seed=4294967295');
    expect(q).toContain('lr=0.0123');
    expect(q).toContain('compare=gd:0.05:central,polyak:0.01:0.3,flow');
    expect(q).toContain('central=1');
  });

  it('only non-default fields appear, in schema order', () => {
    const s = defaultState();
    s.lr = 0.1;
    s.seed = 7;
    s.widths = [50, 50];
    expect(toQuery(s)).toBe('widths=50,50&lr=0.1&seed=7');
  });

  it('every preset round-trips and is written as preset=name only', () => {
    for (const p of PRESET_NAMES) {
      const s = presetState(p);
      const q = toQuery(s);
      expect(q, p).toBe(p === 'eos' ? '' : `preset=${p}`);
      const r = parseQuery(q);
      expect(r.messages, p).toEqual([]);
      expect(r.state, p).toEqual(s);
    }
  });

  it('URL fields override the preset baseline', () => {
    const r = parseQuery('preset=figure1&lr=0.3');
    expect(r.messages).toEqual([]);
    expect(r.state.lr).toBe(0.3);
    expect(r.state.compare).toEqual(PRESETS.figure1.values.compare);
    expect(toQuery(r.state)).toBe('preset=figure1&lr=0.3');
  });

  it('random valid states round-trip (fixed-seed generator)', () => {
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const s = defaultState();
      s.lr = Number((1e-4 * 10 ** (rnd() * 6)).toPrecision(1 + Math.floor(rnd() * 6)));
      s.seed = Math.floor(rnd() * 2 ** 53);
      s.n = 1 + Math.floor(rnd() * 20000);
      s.noise = rnd() * 10;
      s.widths = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => 1 + Math.floor(rnd() * 512));
      s.beta = Math.floor(rnd() * 100) / 101;
      const r = parseQuery(toQuery(s));
      expect(r.messages, toQuery(s)).toEqual([]);
      expect(r.state).toEqual(s);
    }
  });
});

/** Parses `key=raw` and checks: one message naming key and its allowed values, value = default. */
function expectRejected(key: keyof AppState, raw: string): string {
  const r = parseQuery(`${key}=${encodeURIComponent(raw)}`);
  const f = SCHEMA[key] as Field;
  expect(r.messages.length, `${key}=${raw}: ${r.messages.join(' | ')}`).toBeGreaterThanOrEqual(1);
  const m = r.messages[0];
  expect(m.startsWith(`${key}:`), m).toBe(true);
  expect(m).toContain('using default');
  if (f.kind !== 'runlist') expect(m, m).toContain(allowedText(f));
  expect(r.state[key], `${key}=${raw}`).toEqual(presetState('eos')[key]);
  return m;
}

describe('every invalid case is reported and replaced by the default', () => {
  const numberFields = FIELD_KEYS.filter((k) => SCHEMA[k].kind === 'int' || SCHEMA[k].kind === 'real');

  it.each(numberFields)('%s: not a number, empty, hex, Infinity, NaN', (k) => {
    for (const raw of ['abc', '', '0x10', 'Infinity', 'NaN', '1,5', '--1']) expectRejected(k, raw);
  });

  it.each(numberFields)('%s: below the minimum and above the maximum', (k) => {
    const f = SCHEMA[k] as { min: number; max: number; kind: string };
    const below = f.min === 0 ? -1 : f.min / 2 < f.min ? f.min / 2 : f.min - 1;
    expectRejected(k, String(f.min - Math.max(1, Math.abs(f.min))));
    expectRejected(k, String(f.max * 2 + 1));
    if (f.kind === 'real') expectRejected(k, String(below));
  });

  it('open bounds reject the bound itself, closed bounds accept it', () => {
    expectRejected('init_scale', '0');
    expectRejected('flow_alpha', '0');
    expectRejected('lanczos_tol', '0');
    expectRejected('diverge_factor', '1');
    expect(parseQuery('init_scale=100').messages).toEqual([]);
    expect(parseQuery('noise=0').messages).toEqual([]);
    expect(parseQuery('lr=0.0001').state.lr).toBe(0.0001);
    expect(parseQuery('lr=10000').state.lr).toBe(10000);
    expectRejected('lr', '0');
    expectRejected('beta', '1');
    expect(parseQuery('beta=0').state.beta).toBe(0);
  });

  it.each(FIELD_KEYS.filter((k) => SCHEMA[k].kind === 'int'))('%s: non-integer', (k) => {
    expectRejected(k, '2.5');
  });

  it.each(FIELD_KEYS.filter((k) => SCHEMA[k].kind === 'enum'))('%s: unknown value and wrong case', (k) => {
    expectRejected(k, 'nope');
    const f = SCHEMA[k] as { values: readonly string[] };
    expectRejected(k, f.values[0].toUpperCase());
  });

  it('bool: anything but true/false/1/0/on/off', () => {
    expectRejected('bias', 'maybe');
    expectRejected('bias', '');
    expect(parseQuery('bias=0').state.bias).toBe(false);
    expect(parseQuery('bias=off').state.bias).toBe(false);
    expect(parseQuery('bias=TRUE').state.bias).toBe(true);
  });

  it('lr_schedule: STEP:LR or STEP:xFACTOR items; the engine judges the steps and values', () => {
    for (const raw of ['abc', '500', ':x0.5', '500:y2', '500:x', '500:0.1;600:0.2', 'x0.5:500']) expectRejected('lr_schedule', raw);
    expect(parseQuery('lr_schedule=500:x0.5').state.lr_schedule).toBe('500:x0.5');
    expect(parseQuery('lr_schedule=500:0.1,1000:x2').state.lr_schedule).toBe('500:0.1,1000:x2');
    expect(parseQuery('lr_schedule=').state.lr_schedule).toBe('');
  });

  it('widths: empty, too many layers, out-of-range or non-integer entries', () => {
    for (const raw of ['', '20,', '0', '513', '1,2,3,4,5,6,7', '20.5', 'a,b', '20;20']) expectRejected('widths', raw);
    expect(parseQuery('widths=1,512,6').state.widths).toEqual([1, 512, 6]);
  });

  it('charts: empty or unknown chart', () => {
    expectRejected('charts', '');
    expectRejected('charts', 'loss,pie');
    expect(parseQuery('charts=scaled,loss,scaled').state.charts).toEqual(['scaled', 'loss']);
  });

  it('compare: bad optimiser, bad or missing η, bad β, too many parts, too many runs', () => {
    for (const raw of ['lion:0.1', 'gd', 'gd:abc', 'gd:0', 'gd:20000', 'polyak:0.1:1', 'polyak:0.1:-0.1', 'gd:0.1:0.5:9', 'gd:0.1,,gd:0.2']) {
      const m = expectRejected('compare', raw);
      expect(m).toMatch(/run|runs/);
    }
    expectRejected('compare', Array.from({ length: 8 }, () => 'gd:0.1').join(','));
    expect(parseQuery('compare=flow').state.compare).toEqual([{ opt: 'flow', lr: 0.3, beta: 0.9 }]);
    expect(parseQuery('compare=').state.compare).toEqual([]);
  });

  it('unknown parameters, repeated parameters and a bad preset are reported', () => {
    const r = parseQuery('foo=1&lr=0.1&lr=0.3&preset=zzz');
    expect(r.messages).toContain('foo: unknown parameter, ignored');
    expect(r.messages).toContain('lr: given more than once; using the first value');
    expect(r.messages.some((m) => m.startsWith('preset:') && m.includes('eos|drop'))).toBe(true);
    expect(r.state.lr).toBe(0.1);
    expect(r.state.preset).toBe('eos');
  });

  it('a mix of good and bad values keeps the good ones', () => {
    const r = parseQuery('lr=-1&seed=42&n=abc&act=relu');
    expect(r.messages.map((m) => m.split(':')[0])).toEqual(['lr', 'n']);
    expect(r.messages[0]).toBe('lr: "-1" is not a number in (0, 10000]; using default 0.3');
    expect(r.state.seed).toBe(42);
    expect(r.state.act).toBe('relu');
    expect(r.state.lr).toBe(0.3);
    expect(r.state.n).toBe(40);
  });
});

describe('cross-field rules are the engine\'s', () => {
  it('a combination the engine refuses parses as given, without a message of the page', () => {
    for (const q of ['loss=ce', 'dataset=blobs&classes=1', 'dataset=linear&n=5&d=10', 'neigs=10&lanczos_max_iter=5']) {
      const r = parseQuery(q);
      expect(r.messages, q).toEqual([]);
      for (const [k, v] of new URLSearchParams(q)) expect(formatField(SCHEMA[k as keyof AppState] as Field, r.state[k as keyof AppState]), q).toBe(v);
    }
  });
});

describe('never throws', () => {
  it('on garbage queries', () => {
    const junk = ['%', '%%%', '?&&&=', '=1', 'lr', 'lr==', '\u0000', '?lr=%E0%A4%A', 'compare=:::,,,', 'widths=,,,', `${'a'.repeat(5000)}=1`];
    for (const q of junk) {
      const r = parseQuery(q);
      expect(r.state).toBeTruthy();
      expect(Array.isArray(r.messages)).toBe(true);
    }
  });
});

describe('runs and thresholds', () => {
  it('runSpecs lists the first run then compare; engineConfig overrides opt/lr/beta', () => {
    const s = presetState('figure1');
    const specs = runSpecs(s);
    expect(specs.map((r) => `${r.opt}:${r.lr}`)).toEqual(['gd:0.2', 'gd:0.1', 'gd:0.0667', 'flow:0.2']);
    const cfg = engineConfig(s, specs[1]);
    expect(PRESETS.drop.values.lr_schedule).toBe('500:x0.5');
    expect(cfg.lr).toBe(0.1);
    expect(cfg.widths).toEqual([20, 20]);
    expect(cfg.opt).toBe('gd');
    expect(cfg.dataset).toBe(s.dataset);
  });

  it('withRuns derives opt/lr/beta/compare from the runs and leaves the rest', () => {
    const s = presetState('relu');
    const d = withRuns(s, [{ opt: 'polyak', lr: 0.05, beta: 0.5 }, { opt: 'flow', lr: 0.2, beta: 0.9 }]);
    expect([d.opt, d.lr, d.beta]).toEqual(['polyak', 0.05, 0.5]);
    expect(d.compare).toEqual([{ opt: 'flow', lr: 0.2, beta: 0.9 }]);
    expect(d.act).toBe('relu');
    expect(s.opt).toBe('gd'); // a copy
  });
});

describe('the step-size sweep', () => {
  it('parses lo:hi:n, rejects the rest, and round-trips through the URL', () => {
    expect(parseQuery('sweep=0.05:0.4:6').state.sweep).toEqual({ lo: 0.05, hi: 0.4, n: 6 });
    for (const raw of ['0.4:0.05:6', '0.1:0.4:1', '0.1:0.4:8', '0.1:0.4', '0:0.4:3', '0.1:200:3', 'a:b:c', '0.1:0.4:2.5']) expectRejected('sweep', raw);
    const s = presetState('sweep');
    expect(toQuery(s)).toBe('preset=sweep');
    s.sweep = { lo: 0.05, hi: 0.4, n: 7 };
    expect(toQuery(s)).toBe('preset=sweep&sweep=0.05:0.4:7');
    expect(parseQuery(toQuery(s)).state).toEqual(s);
  });

  it('the sweep preset: six log-spaced GD runs and gradient flow, on the default problem', () => {
    const s = presetState('sweep');
    expect(sweepLrs(s.sweep!)).toEqual([0.1, 0.132, 0.174, 0.23, 0.303, 0.4]);
    const specs = runSpecs(s);
    expect(specs.map((r) => `${r.opt}:${r.lr}`)).toEqual(['gd:0.1', 'gd:0.132', 'gd:0.174', 'gd:0.23', 'gd:0.303', 'gd:0.4', 'flow:0.4']);
    expect(specs.length).toBeLessThanOrEqual(MAX_RUNS);
    expect([s.degree, s.n, s.seed, s.widths]).toEqual([5, 40, 1, [32, 32, 32]]);
    expect(s.charts).toContain('sweep');
    // Log spacing: equal ratios between neighbours (to the 3 digits kept).
    const lrs = sweepLrs({ lo: 0.05, hi: 0.4, n: 4 });
    expect(lrs).toEqual([0.05, 0.1, 0.2, 0.4]);
  });

  it('the other presets keep the small problem they were measured on', () => {
    for (const name of ['drop', 'momentum', 'relu', 'diverge', 'figure1'] as const) {
      const s = presetState(name);
      expect([s.degree, s.n, s.seed], name).toEqual([3, 20, 0]);
    }
    expect(presetState('eos').widths).toEqual([32, 32, 32]);
  });
});
