// Unit tests of β₂'s per-optimiser default on the page (the engine's table: rmsprop 0.99,
// adam 0.999, exported as opt_defaults): presets, the URL, <eos-lab> attributes, the config
// each run sends, what the settings panel shows and the attribute reference, with an explicit
// β₂ winning and round-tripping through the URL.

import { describe, expect, it } from 'vitest';
import { presetState } from '../../web/src/state/presets';
import { SCHEMA, defaultFor, describeSchema, engineConfig, runSpecs, valueFor, withRuns } from '../../web/src/state/schema';
import { ENGINE_SCHEMA } from '../../web/src/state/engine-schema';
import { parseQuery, toQuery } from '../../web/src/state/url';
import { parseElementConfig } from '../../web/src/element/config';
import { AppModel } from '../../web/src/ui/model';
import { fakeFactory } from './fake-worker';

const beta2Of = (query: string) => parseQuery(query).state.beta2;

describe('β₂ defaults per optimiser (from the engine table)', () => {
  it('the generated schema carries the engine’s per-optimiser default', () => {
    const f = ENGINE_SCHEMA.fields.find((x) => x.name === 'beta2') as unknown as Record<string, unknown>;
    expect(f.default).toBe(0.999);
    expect(f.opt_defaults).toEqual({ rmsprop: 0.99 });
    expect(SCHEMA.beta2.kind).toBe('real');
    expect(defaultFor('beta2', 'rmsprop')).toBe(0.99);
    expect(defaultFor('beta2', 'adam')).toBe(0.999);
    expect(defaultFor('beta2', 'gd')).toBe(0.999);
    // The attribute reference (docs/embedding.md) names both defaults.
    const row = describeSchema().find((r) => r.key === 'beta2')!;
    expect(row.default).toBe('0.999');
    expect(row.optDefaults).toBe('rmsprop: 0.99');
    expect(describeSchema().filter((r) => r.optDefaults).map((r) => r.key)).toEqual(['beta2']);
  });

  it('presets: rmsprop gets 0.99 without setting it, adam 0.999', () => {
    expect(presetState('rmsprop').beta2).toBe(0.99);
    expect(presetState('adam').beta2).toBe(0.999);
    expect(presetState('eos').beta2).toBe(0.999);
  });

  it('the URL: an optimiser without β₂ gets its default; an explicit β₂ wins and round-trips', () => {
    expect(beta2Of('opt=rmsprop&lr=0.001')).toBe(0.99);
    expect(beta2Of('opt=adam&lr=0.001')).toBe(0.999);
    expect(beta2Of('preset=rmsprop')).toBe(0.99);
    expect(beta2Of('preset=rmsprop&opt=adam')).toBe(0.999);
    expect(beta2Of('preset=adam&opt=rmsprop')).toBe(0.99);
    expect(beta2Of('opt=rmsprop&lr=0.001&beta2=0.999')).toBe(0.999);
    expect(beta2Of('preset=rmsprop&beta2=0.999')).toBe(0.999);
    expect(beta2Of('opt=adam&lr=0.001&beta2=0.99')).toBe(0.99);
    for (const q of ['opt=rmsprop&lr=0.001', 'opt=rmsprop&lr=0.001&beta2=0.999', 'opt=adam&lr=0.001&beta2=0.99', 'preset=rmsprop&beta2=0.999', 'preset=rmsprop&opt=adam&lr=0.001']) {
      const s = parseQuery(q).state;
      const back = parseQuery(toQuery(s)).state;
      expect(back.beta2, q).toBe(s.beta2);
      expect(back.opt, q).toBe(s.opt);
    }
    // The implied default is not written; an explicit one is.
    expect(toQuery(parseQuery('opt=rmsprop&lr=0.001').state)).not.toContain('beta2');
    expect(toQuery(parseQuery('preset=rmsprop').state)).not.toContain('beta2');
    expect(toQuery(parseQuery('opt=rmsprop&lr=0.001&beta2=0.999').state)).toContain('beta2=0.999');
    expect(toQuery(parseQuery('preset=rmsprop&beta2=0.999').state)).toContain('beta2=0.999');
  });

  it('a bad β₂ in the URL is reported naming the field and its range', () => {
    const r = parseQuery('opt=rmsprop&lr=0.001&beta2=1');
    expect(r.messages.join('\n')).toMatch(/^beta2: "1" is not a number in \[0, 1\)/m);
    expect(r.state.beta2).toBe(0.99);
  });

  it('<eos-lab> attributes: opt="rmsprop" without beta2 runs with 0.99', () => {
    const cfg = parseElementConfig([['opt', 'rmsprop'], ['lr', '0.001']]);
    expect(cfg.state.beta2).toBe(0.99);
    expect(parseElementConfig([['opt', 'rmsprop'], ['lr', '0.001'], ['beta2', '0.999']]).state.beta2).toBe(0.999);
  });

  it('each run sends its optimiser’s default unless β₂ was given', () => {
    const s = parseQuery('opt=adam&lr=0.002&compare=rmsprop:0.0005,gd:0.1').state;
    const cfgs = runSpecs(s).map((r) => engineConfig(s, r));
    expect(cfgs.map((c) => [c.opt, c.beta2])).toEqual([['adam', 0.999], ['rmsprop', 0.99], ['gd', 0.999]]);
    const given = parseQuery('opt=adam&lr=0.002&beta2=0.95&compare=rmsprop:0.0005').state;
    expect(runSpecs(given).map((r) => engineConfig(given, r).beta2)).toEqual([0.95, 0.95]);
    // The panel shows what the selected run runs with.
    expect(valueFor(s, 'beta2', 'rmsprop')).toBe(0.99);
    expect(valueFor(s, 'beta2', 'adam')).toBe(0.999);
    expect(valueFor(given, 'beta2', 'rmsprop')).toBe(0.95);
  });

  it('a link whose first run changed optimiser carries the new default (withRuns)', () => {
    const s = presetState('adam');
    const link = withRuns(s, [{ opt: 'rmsprop', lr: 0.0005, beta: 0.9 }]);
    expect(link.beta2).toBe(0.99);
    expect(toQuery(link)).not.toContain('beta2');
    const explicit = withRuns({ ...s, beta2: 0.95 }, [{ opt: 'rmsprop', lr: 0.0005, beta: 0.9 }]);
    expect(explicit.beta2).toBe(0.95);
  });
});

describe('the app model: β₂ follows the first run’s optimiser unless given', () => {
  it('adam → rmsprop in the controls: the settings, the link and the engine config take 0.99', () => {
    const f = fakeFactory();
    const model = new AppModel(presetState('adam'), f.create, () => {});
    f.flushAll();
    expect(model.view.beta2).toBe(0.999);
    model.setField('opt', 'rmsprop');
    f.flushAll();
    expect(model.view.beta2).toBe(0.99);
    expect(model.state().beta2).toBe(0.99);
    expect(toQuery(model.state())).not.toContain('beta2');
    // A problem restart sends the run's config: rmsprop with 0.99.
    model.setField('n', 24);
    f.flushAll();
    const creates = f.made[0].received.filter((m) => m.type === 'create');
    expect(creates.at(-1)).toMatchObject({ config: { opt: 'rmsprop', beta2: 0.99, n: 24 } });
    // Back to adam: 0.999 again.
    model.setField('opt', 'adam');
    expect(model.view.beta2).toBe(0.999);
  });

  it('an explicit β₂ stays when the optimiser changes', () => {
    const f = fakeFactory();
    const model = new AppModel({ ...presetState('adam'), beta2: 0.95 }, f.create, () => {});
    f.flushAll();
    model.setField('opt', 'rmsprop');
    expect(model.view.beta2).toBe(0.95);
    expect(toQuery(model.state())).toContain('beta2=0.95');
  });
});
