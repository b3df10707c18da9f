// Unit tests of the <eos-lab> attribute parser (web/src/element/config.ts): attributes are
// the URL state schema (same names, values, defaults, preset baseline), bad values are
// blocking errors naming the attribute and its range, unknown names are warnings, and the
// embed-only attributes (controls, hide, autoplay, href) are validated.
import { describe, expect, it } from 'vitest';
import {
  CONTROL_NAMES, DEFAULT_CONTROLS, HIDE_PARTS, OBSERVED_ATTRIBUTES, elementSnippet, parseElementConfig, stateToAttributes, suggest,
} from '../../web/src/element/config';
import { FIELD_KEYS, SCHEMA, defaultState, formatField } from '../../web/src/state/schema';
import { presetState } from '../../web/src/state/presets';
import { parseQuery, toQuery } from '../../web/src/state/url';

const parse = (attrs: Record<string, string>) => parseElementConfig(Object.entries(attrs));

describe('element attributes = URL state schema', () => {
  it('no attributes: the schema defaults, default controls, nothing hidden', () => {
    const c = parse({});
    expect(c.ok).toBe(true);
    expect(c.errors).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.state).toEqual(defaultState());
    expect(c.view).toEqual({ controls: [...DEFAULT_CONTROLS], allControls: false, hide: [], autoplay: true, href: null });
  });

  it('every schema field is an observed attribute, and parses like the URL', () => {
    for (const k of FIELD_KEYS) expect(OBSERVED_ATTRIBUTES).toContain(k);
    const attrs = { lr: '0.05', dataset: 'moons', opt: 'polyak', beta: '0.5', steps: '1234', widths: '20,20', charts: 'sharpness,loss', compare: 'gd:0.1,flow' };
    const c = parse(attrs);
    expect(c.ok).toBe(true);
    const viaUrl = parseQuery(new URLSearchParams(attrs));
    expect(viaUrl.messages).toEqual([]);
    expect(c.state).toEqual(viaUrl.state);
    expect(c.state.lr).toBe(0.05);
    expect(c.state.widths).toEqual([20, 20]);
    expect(c.state.charts).toEqual(['sharpness', 'loss']);
    expect(c.state.compare).toEqual([{ opt: 'gd', lr: 0.1, beta: 0.9 }, { opt: 'flow', lr: 0.3, beta: 0.9 }]);
  });

  it('a preset is the baseline that other attributes override', () => {
    const c = parse({ preset: 'drop', lr: '0.3' });
    const base = presetState('drop');
    expect(c.state.lr).toBe(0.3);
    expect(c.state.lr_schedule).toBe(base.lr_schedule);
    expect(c.state.widths).toEqual(base.widths);
    expect(c.state.preset).toBe('drop');
  });

  it('attribute names are case-insensitive (HTML lowercases them anyway)', () => {
    expect(parse({ LR: '0.1' }).state.lr).toBe(0.1);
  });
});

describe('invalid attributes block with a message naming attribute and range', () => {
  it('bad numbers, enums and lists', () => {
    const c = parse({ lr: 'fast', widths: '20,x', act: 'swish', n: '-5', bias: 'maybe' });
    expect(c.ok).toBe(false);
    expect(c.errors).toHaveLength(5);
    expect(c.errors).toContain('lr: "fast" is not a number in (0, 10000]');
    expect(c.errors.find((e) => e.startsWith('widths:'))).toContain('comma-separated integers in [1, 512]');
    expect(c.errors.find((e) => e.startsWith('act:'))).toContain('tanh|relu');
    expect(c.errors.find((e) => e.startsWith('n:'))).toContain('[1, 20000]');
    expect(c.errors.find((e) => e.startsWith('bias:'))).toContain('true|false');
  });

  it('range limits are exact: the bounds pass, just outside fails', () => {
    const f = SCHEMA.lr; // (0, 10000]
    expect(parse({ lr: String(f.min) }).ok).toBe(false); // open
    expect(parse({ lr: '1e-300' }).ok).toBe(true);
    expect(parse({ lr: String(f.max) }).ok).toBe(true);
    expect(parse({ lr: '10000.5' }).ok).toBe(false);
    expect(parse({ n: String(SCHEMA.n.max) }).ok).toBe(true);
    expect(parse({ n: String(SCHEMA.n.max + 1) }).ok).toBe(false);
    expect(parse({ lr: '' }).ok).toBe(false); // Number('') would be 0
    expect(parse({ lr: '0x10' }).ok).toBe(false);
  });

  it('controls and hide names are checked; hiding every chart is an error', () => {
    expect(parse({ controls: 'lr,speedometer' }).errors[0]).toMatch(/^controls: "speedometer" is not a control/);
    expect(parse({ controls: 'none,lr' }).ok).toBe(false);
    expect(parse({ hide: 'controls,legend' }).errors).toEqual([`hide: "legend" is not one of ${HIDE_PARTS.join('|')}`]);
    const all = parse({ charts: 'sharpness', hide: 'sharpness' });
    expect(all.ok).toBe(false);
    expect(all.errors[0]).toMatch(/removes every chart/);
    expect(parse({ autoplay: 'sometimes' }).errors[0]).toMatch(/^autoplay: /);
    expect(parse({ href: 'javascript:alert(1)' }).errors[0]).toMatch(/^href: /);
  });
});

describe('warnings do not block', () => {
  it('unknown attributes: warning with a suggestion; global/ARIA/data attributes are silent', () => {
    const c = parse({ lrr: '0.1', id: 'x', class: 'c', style: 'height:300px', 'data-post': '1', 'aria-label': 'lab', role: 'region' });
    expect(c.ok).toBe(true);
    expect(c.warnings).toEqual(['lrr: unknown attribute, ignored (did you mean lr?)']);
    expect(suggest('widht', OBSERVED_ATTRIBUTES)).toBe('widths'); // swap + missing s
    expect(suggest('stpes', OBSERVED_ATTRIBUTES)).toBe('steps');
    expect(suggest('zz', OBSERVED_ATTRIBUTES)).toBeNull(); // short names: one edit at most
    expect(suggest('qqqqqq', OBSERVED_ATTRIBUTES)).toBeNull();
  });

  it('a combination only the engine refuses starts as given (its run shows the engine\'s message)', () => {
    const c = parse({ loss: 'ce', dataset: 'chebyshev' });
    expect(c.ok).toBe(true);
    expect(c.state.loss).toBe('ce');
    expect(c.warnings).toEqual([]);
  });

  it('URL parameters (embed.html): duplicates keep the first value', () => {
    const c = parseElementConfig(new URLSearchParams('lr=0.1&lr=0.3&zz=1'), 'parameter');
    expect(c.state.lr).toBe(0.1);
    expect(c.warnings).toEqual(['lr: given more than once; using the first value', 'zz: unknown parameter, ignored']);
  });
});

describe('view attributes', () => {
  it('controls: a list, all, none, or empty', () => {
    expect(parse({ controls: 'lr, Opt' }).view.controls).toEqual(['lr', 'opt']);
    const all = parse({ controls: 'all' }).view;
    expect(all.allControls).toBe(true);
    expect(all.controls).toEqual([...CONTROL_NAMES]);
    expect(parse({ controls: 'none' }).view.controls).toEqual([]);
    expect(parse({ controls: '' }).view.controls).toEqual([]);
    expect(CONTROL_NAMES).not.toContain('compare'); // it has no control of its own
  });

  it('hide: controls removes all controls, chart names leave the charts', () => {
    const c = parse({ hide: 'controls,explain,loss', controls: 'all' });
    expect(c.ok).toBe(true);
    expect(c.view.controls).toEqual([]);
    expect(c.view.allControls).toBe(false);
    expect(c.view.hide).toEqual(['controls', 'explain', 'loss']);
    expect(c.state.charts).toEqual(['sharpness', 'scaled']);
  });

  it('autoplay: present/empty means true; false/0 stop it', () => {
    expect(parse({ autoplay: '' }).view.autoplay).toBe(true);
    expect(parse({ autoplay: 'false' }).view.autoplay).toBe(false);
    expect(parse({ autoplay: '0' }).view.autoplay).toBe(false);
  });
});

describe('snippets round-trip', () => {
  it('state → attributes → element snippet → parsed back to the same state', () => {
    const s = presetState('momentum');
    s.lr = 0.05;
    s.widths = [16, 8];
    s.charts = ['sharpness'];
    const attrs = stateToAttributes(toQuery(s), { controls: 'lr' });
    const html = elementSnippet(attrs);
    expect(html.startsWith('<eos-lab ')).toBe(true);
    expect(html).toContain('lr="0.05"');
    const back = [...html.matchAll(/ ([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&quot;/g, '"').replace(/&amp;/g, '&')] as const);
    const c = parseElementConfig(back);
    expect(c.errors).toEqual([]);
    expect(c.state).toEqual(s);
    expect(c.view.controls).toEqual(['lr']);
  });

  it('attribute values are HTML-escaped', () => {
    expect(elementSnippet([['href', 'a"b&c<d>']])).toBe('<eos-lab href="a&quot;b&amp;c&lt;d&gt;"></eos-lab>');
  });

  it('every schema default formats to a value the parser accepts', () => {
    for (const k of FIELD_KEYS) {
      const f = SCHEMA[k];
      const c = parse({ [k]: formatField(f, f.default) });
      expect(c.errors, k).toEqual([]);
    }
  });
});
