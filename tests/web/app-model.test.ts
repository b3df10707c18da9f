// Unit tests of the app's model (web/src/ui/model.ts) with the fake worker: the state a
// link reproduces is derived from the runs (opt/lr/beta/compare) and never copied back
// into the settings; a live η writes one place, the run; field changes go where they
// belong (view, pacing, problem restart, the selected run); presets and "+ Add run".

import { describe, expect, it } from 'vitest';
import { AppModel } from '../../web/src/ui/model';
import { defaultState } from '../../web/src/state/schema';
import { presetState } from '../../web/src/state/presets';
import { toQuery } from '../../web/src/state/url';
import { fakeFactory } from './fake-worker';

function setup(q: Partial<ReturnType<typeof defaultState>> = {}) {
  const f = fakeFactory();
  const model = new AppModel({ ...defaultState(), ...q }, f.create, () => {});
  f.flushAll();
  return { f, model };
}

describe('AppModel', () => {
  it('a live η is the run\'s: the link state follows it, the settings do not hold a copy', () => {
    const { f, model } = setup({ compare: [{ opt: 'gd', lr: 0.1, beta: 0.9 }] });
    const second = model.manager.runs[1];
    model.select(second.id);
    model.setLr(0.05);
    expect(second.spec.lr).toBe(0.05);
    expect(model.state().compare).toEqual([{ opt: 'gd', lr: 0.05, beta: 0.9 }]);
    expect(model.view.compare).toEqual([{ opt: 'gd', lr: 0.1, beta: 0.9 }]); // the initial value, never written back
    expect(toQuery(model.state())).toBe('compare=gd:0.05');
    expect(f.made[1].received.filter((m) => m.type === 'setLr')).toHaveLength(1);
  });

  it('opt and beta from the controls change the selected run; problem fields restart every run', () => {
    const { f, model } = setup();
    expect(model.setField('opt', 'polyak')).toBe('run');
    expect(model.state().opt).toBe('polyak');
    expect(model.setField('n', 40)).toBe('problem');
    const creates = f.made[0].received.filter((m) => m.type === 'create');
    expect(creates.at(-1)).toMatchObject({ config: { n: 40, opt: 'polyak' } });
    expect(model.setField('x', 'time')).toBe('view');
    expect(model.setField('speed', 0)).toBe('pacing');
    expect(model.state()).toMatchObject({ n: 40, x: 'time', speed: 0, opt: 'polyak' });
  });

  it('+ Add run: half the selected η, flow becomes GD; removing it drops it from the link', () => {
    const { model } = setup({ opt: 'flow' });
    model.addRun();
    expect(model.state().compare).toEqual([{ opt: 'gd', lr: 0.15, beta: 0.9 }]);
    expect(model.selected?.id).toBe(model.manager.runs[1].id);
    model.removeRun(model.manager.runs[1].id);
    expect(model.state().compare).toEqual([]);
    expect(model.selected?.id).toBe(model.manager.runs[0].id);
  });

  it('a preset replaces settings and runs', () => {
    const { model } = setup({ lr: 0.3 });
    model.applyPreset('figure1');
    expect(model.state()).toEqual(presetState('figure1'));
    expect(model.manager.runs).toHaveLength(4);
    expect(model.manager.playing).toBe(true);
  });

  it('the sweep: its runs come from lo:hi:n, the link holds the sweep (not the runs), editing it replaces the runs', () => {
    const { model } = setup(presetState('sweep'));
    expect(model.manager.runs.map((r) => `${r.spec.opt}:${r.spec.lr}`)).toEqual(['gd:0.1', 'gd:0.132', 'gd:0.174', 'gd:0.23', 'gd:0.303', 'gd:0.4', 'flow:0.4']);
    expect(toQuery(model.state())).toBe('preset=sweep');
    expect(model.setField('sweep', { lo: 0.1, hi: 0.4, n: 3 })).toBe('problem');
    expect(model.manager.runs.map((r) => r.spec.lr)).toEqual([0.1, 0.2, 0.4, 0.4]);
    expect(toQuery(model.state())).toBe('preset=sweep&sweep=0.1:0.4:3');
    model.setField('sweep', null);
    expect(model.manager.runs.map((r) => `${r.spec.opt}:${r.spec.lr}`)).toEqual(['gd:0.3']);
  });
});
