// The settings panel: the selected run's optimiser (η live), then one fieldset per
// schema group and an "advanced" part, all generated from the schema's group and
// advanced flags. Takes a root element and callbacks; holds no global state.

import { type AppState, type EngineKey, type Field, type Group, FIELD_KEYS, OPT_DEFAULT_KEYS, SCHEMA, valueFor } from '../state/schema';
import { type Run, fmtLr, thresholdInForce, thresholdName } from '../runs/run';
import { h, isFocused, uid } from './dom';
import { type FieldControl, fieldControl, lrControl } from './fields';

export interface ControlsOptions {
  /** A field changed (opt and beta refer to the selected run). */
  onField: (key: keyof AppState, value: unknown) => void;
  /** η of the selected run moved (slider drag or number entry). */
  onLr: (lr: number) => void;
}

/** Fieldsets in display order; `optim` fields other than the run's own sit under "Training". */
const GROUP_TITLES: [string, Group[]][] = [
  ['Data', ['data']],
  ['Model', ['model']],
  ['Training', ['optim', 'run']],
  ['Measurement', ['measure']],
  ['View', ['view']],
];
/** Fields with a control elsewhere: the run's optimiser (top fieldset), speed and preset (toolbar), compare (+ Add run). Adam's β₁ has its own field here too (a restart), besides the run's live β control. */
const ELSEWHERE: readonly string[] = ['opt', 'lr', 'beta', 'speed', 'preset', 'compare'];

export class ControlsPanel {
  readonly el: HTMLElement;
  private readonly fields = new Map<string, FieldControl>();
  private readonly lr;
  private readonly runTitle: HTMLElement;
  private readonly depthField: HTMLElement;
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
    this.fields.set('lr', this.lr);
    this.fields.set('beta', beta);
    root.append(
      h('fieldset', { class: 'eos-group eos-group-run' }, h('legend', {}, 'Optimiser of ', this.runTitle), opt.el, this.lr.el, beta.el),
    );

    // Depth edits the widths list (repeat the last width / drop layers).
    const depthId = uid('depth');
    const maxDepth = SCHEMA.widths.maxLen;
    this.depthInput = h('input', {
      type: 'number', id: depthId, min: 1, max: maxDepth, step: 1, inputmode: 'numeric', title: `Hidden layers, 1–${maxDepth}`,
    });
    this.depthInput.addEventListener('change', () => {
      const d = Math.round(Number(this.depthInput.value));
      if (!(d >= 1 && d <= maxDepth)) {
        this.depthInput.setAttribute('aria-invalid', 'true');
        return;
      }
      this.depthInput.removeAttribute('aria-invalid');
      const w = [...this.widths];
      while (w.length < d) w.push(w[w.length - 1] ?? SCHEMA.widths.default[0]);
      w.length = d;
      opts.onField('widths', w);
    });
    this.depthField = h('div', { class: 'eos-field', 'data-key': 'depth' }, h('label', { for: depthId }, 'Hidden layers'), this.depthInput);

    const shown = FIELD_KEYS.filter((k) => !ELSEWHERE.includes(k));
    const add = (parent: HTMLElement, k: keyof AppState) => {
      if (k === 'widths') parent.append(this.depthField);
      const c = fieldControl(k, (v) => opts.onField(k, v));
      this.fields.set(k, c);
      parent.append(c.el);
    };
    for (const [title, groups] of GROUP_TITLES) {
      const fs = h('fieldset', { class: `eos-group eos-group-${title.toLowerCase()}` }, h('legend', {}, title));
      for (const k of shown) if (groups.includes(SCHEMA[k].group) && !(SCHEMA[k] as Field).advanced) add(fs, k);
      root.append(fs);
    }
    const adv = h('details', { class: 'eos-group eos-advanced' }, h('summary', {}, 'Advanced'));
    for (const k of shown) if ((SCHEMA[k] as Field).advanced) add(adv, k);
    root.append(adv);
  }

  /**
   * Which controls the reader gets ('all', or control names: schema keys and `depth`);
   * a fieldset with nothing left in it goes too.
   */
  show(which: 'all' | readonly string[]): void {
    const on = (key: string) => which === 'all' || which.includes(key);
    const off = (el: Element, isOff: boolean) => el.classList.toggle('eos-off', isOff);
    for (const f of this.el.querySelectorAll<HTMLElement>('[data-key]')) off(f, !on(f.dataset.key ?? ''));
    for (const g of this.el.querySelectorAll(':scope > fieldset, :scope > details')) {
      off(g, ![...g.querySelectorAll('[data-key]')].some((f) => !f.classList.contains('eos-off')));
    }
    off(this.el, ![...this.el.querySelectorAll('[data-key]')].some((f) => !f.classList.contains('eos-off')));
  }

  /** Shows the settings and the selected run's optimiser. */
  update(settings: Readonly<AppState>, run: Run | undefined, runLabel: string): void {
    const spec = run?.spec ?? { opt: settings.opt, lr: settings.lr, beta: settings.beta };
    const thr = run ? thresholdInForce(run) : NaN;
    // Called with every status refresh: touch the DOM only when something shown changed.
    const key = JSON.stringify([settings, spec, runLabel, run?.color, thr]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.runTitle.textContent = runLabel;
    this.runTitle.style.setProperty('--run-color', run?.color ?? 'currentColor');
    for (const [k, c] of this.fields) {
      if (k === 'opt' || k === 'lr' || k === 'beta') c.set(spec[k]);
      // β₂ not given: the selected run's optimiser's default (what its engine runs with).
      else if ((OPT_DEFAULT_KEYS as readonly string[]).includes(k)) c.set(valueFor(settings, k as EngineKey, spec.opt));
      else c.set(settings[k as keyof AppState]);
      const f = SCHEMA[k as keyof AppState] as Field;
      if (f.datasets) c.el.hidden = !f.datasets.includes(settings.dataset);
    }
    this.fields.get('beta')!.el.hidden = !(spec.opt === 'polyak' || spec.opt === 'nesterov' || spec.opt === 'adam');
    // For Adam the run's β is its β₁ (the engine's set_beta acts on it).
    const betaLabel = this.fields.get('beta')!.el.querySelector('label');
    if (betaLabel) betaLabel.textContent = spec.opt === 'adam' ? 'Adam β₁' : (SCHEMA.beta as Field).label;
    this.widths = [...settings.widths];
    if (!isFocused(this.depthInput)) this.depthInput.value = String(settings.widths.length);
    const flow = spec.opt === 'flow';
    this.lr.setDisabled(flow);
    if (flow) {
      this.lr.note.textContent = 'Gradient flow has no step size and no threshold: sharpness is free to keep rising.';
    } else if (Number.isFinite(thr)) {
      // The engine's threshold in force (it carries every record), and its η-scaled form.
      const what = thresholdName(spec.opt);
      const eta = run && run.records.rows > 0 ? run.records.last('lr') : (run?.info?.lr ?? spec.lr);
      this.lr.note.textContent = `threshold ${what} = ${fmtLr(thr)}; η·sharpness threshold ${fmtLr(thr * eta)}`;
    } else {
      this.lr.note.textContent = '';
    }
  }
}
