// The settings panel: fieldsets for the selected run's optimiser (η live), the data,
// the model, training, measurement, view and advanced fields, all generated from
// the schema. Takes a root element and callbacks; holds no global state.

import { type AppState, type RunSpec, SCHEMA, threshold, scaledThreshold } from '../state/schema';
import { fmtLr } from '../runs/manager';
import { h, isFocused, uid } from './dom';
import { type FieldControl, fieldControl, lrControl } from './fields';

export interface ControlsOptions {
  /** A field changed (opt and beta refer to the selected run). */
  onField: (key: keyof AppState, value: unknown) => void;
  /** η of the selected run moved (slider drag or number entry). */
  onLr: (lr: number) => void;
}

const GROUPS: { title: string; keys: (keyof AppState)[] }[] = [
  { title: 'Data', keys: ['dataset', 'n', 'degree', 'd', 'classes', 'noise', 'data_seed'] },
  { title: 'Model', keys: ['widths', 'act', 'bias', 'init', 'loss'] },
  { title: 'Training', keys: ['seed', 'steps', 'lr_drop_at', 'lr_drop_factor'] },
  { title: 'Measurement', keys: ['eig_every', 'neigs'] },
  { title: 'View', keys: ['x', 'charts'] },
];
const ADVANCED: (keyof AppState)[] = [
  'init_scale', 'precision', 'flow_alpha', 'flow_max_step', 'lanczos_tol', 'lanczos_max_iter', 'diverge_factor',
];

export class ControlsPanel {
  readonly el: HTMLElement;
  private readonly fields = new Map<string, FieldControl>();
  private readonly lr;
  private readonly runTitle: HTMLElement;
  private readonly depthInput: HTMLInputElement;
  private widths: number[] = [];
  private lastKey = '';

  constructor(root: HTMLElement, opts: ControlsOptions) {
    this.el = root;
    root.classList.add('eos-controls');

    // Selected run: optimiser, η, β.
    this.runTitle = h('span', { class: 'eos-run-title' });
    this.lr = lrControl((lr) => opts.onLr(lr));
    const opt = fieldControl('opt', (v) => opts.onField('opt', v));
    const beta = fieldControl('beta', (v) => opts.onField('beta', v));
    this.fields.set('opt', opt);
    this.fields.set('beta', beta);
    root.append(
      h('fieldset', { class: 'eos-group eos-group-run' }, h('legend', {}, 'Optimiser of ', this.runTitle), opt.el, this.lr.el, beta.el),
    );

    // Depth edits the widths list (repeat the last width / drop layers).
    const depthId = uid('depth');
    this.depthInput = h('input', {
      type: 'number', id: depthId, min: 1, max: SCHEMA.widths.maxLen, step: 1, inputmode: 'numeric',
      title: `Hidden layers, 1–${SCHEMA.widths.maxLen}`,
    });
    this.depthInput.addEventListener('change', () => {
      const d = Math.round(Number(this.depthInput.value));
      if (!(d >= 1 && d <= SCHEMA.widths.maxLen)) {
        this.depthInput.setAttribute('aria-invalid', 'true');
        return;
      }
      this.depthInput.removeAttribute('aria-invalid');
      const w = [...this.widths];
      while (w.length < d) w.push(w[w.length - 1] ?? 20);
      w.length = d;
      opts.onField('widths', w);
    });
    const depthField = h('div', { class: 'eos-field', 'data-key': 'depth' }, h('label', { for: depthId }, 'Hidden layers'), this.depthInput);

    for (const g of GROUPS) {
      const fs = h('fieldset', { class: `eos-group eos-group-${g.title.toLowerCase()}` }, h('legend', {}, g.title));
      for (const k of g.keys) {
        if (k === 'widths') fs.append(depthField);
        const c = fieldControl(k, (v) => opts.onField(k, v));
        this.fields.set(k, c);
        fs.append(c.el);
      }
      root.append(fs);
    }
    const adv = h('details', { class: 'eos-group eos-advanced' }, h('summary', {}, 'Advanced'));
    for (const k of ADVANCED) {
      const c = fieldControl(k, (v) => opts.onField(k, v));
      this.fields.set(k, c);
      adv.append(c.el);
    }
    root.append(adv);
  }

  /** Shows `state` (problem fields) and the selected run's settings. */
  update(state: AppState, run: RunSpec, runLabel: string, runColor: string): void {
    // Called with every status refresh: touch the DOM only when something shown changed.
    const key = JSON.stringify([state, run, runLabel, runColor]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.runTitle.textContent = runLabel;
    this.runTitle.style.setProperty('--run-color', runColor);
    for (const [k, c] of this.fields) {
      if (k === 'opt') c.set(run.opt);
      else if (k === 'beta') c.set(run.beta);
      else c.set(state[k as keyof AppState]);
      const f = SCHEMA[k as keyof AppState];
      if (f.datasets) c.el.hidden = !f.datasets.includes(state.dataset);
    }
    this.fields.get('beta')!.el.hidden = !(run.opt === 'polyak' || run.opt === 'nesterov');
    this.fields.get('lr_drop_factor')!.el.hidden = state.lr_drop_at === 0;
    this.widths = [...state.widths];
    if (!isFocused(this.depthInput)) this.depthInput.value = String(state.widths.length);
    this.lr.set(run.lr);
    const flow = run.opt === 'flow';
    this.lr.setDisabled(flow);
    if (flow) {
      this.lr.note.textContent = 'Gradient flow has no step size and no threshold: sharpness is free to keep rising.';
    } else {
      const thr = threshold(run.opt, run.lr, run.beta);
      const c = scaledThreshold(run.opt, run.beta);
      const what = run.opt === 'gd' ? '2/η' : run.opt === 'polyak' ? '(2+2β)/η' : '(2+2β)/((1+2β)η)';
      this.lr.note.textContent = `threshold ${what} = ${fmtLr(thr)}; η·sharpness threshold ${fmtLr(c)}`;
    }
  }
}
