// One labelled form control per schema field, generated from SCHEMA (state/schema.ts):
// number inputs with the field's range, selects for enums, checkboxes for booleans
// and lists, and the log-scale η slider paired with a number field. Each control
// validates with the schema's own parser and reports a bad entry next to itself
// (aria-invalid + message) instead of applying it.

import { type AppState, type Field, type RealField, SCHEMA, allowedText, formatField, parseField } from '../state/schema';
import { h, isFocused, uid } from './dom';

export interface FieldControl {
  key: string;
  /** The wrapper (label + input + message), to show/hide. */
  el: HTMLElement;
  /** Shows a value (skipped while the user is editing this control). */
  set(value: unknown): void;
  setDisabled(d: boolean, why?: string): void;
}

type Commit = (value: unknown) => void;

function describe(f: Field): string {
  const unit = f.unit ? ` (${f.unit})` : '';
  return `${f.doc}${unit} Allowed: ${allowedText(f)}.`;
}

/** Message slot shown under an input when an entry is rejected. */
function errorSlot(): HTMLElement {
  return h('span', { class: 'eos-field-error', 'aria-live': 'polite' });
}

export function fieldControl(key: keyof AppState, commit: Commit, labelOverride?: string): FieldControl {
  const f = SCHEMA[key] as Field;
  const id = uid(key);
  const label = labelOverride ?? f.label;
  const err = errorSlot();
  const errId = uid(`${key}-err`);
  err.id = errId;
  const title = describe(f);

  if (f.kind === 'bool') {
    const input = h('input', { type: 'checkbox', id, title, 'aria-describedby': errId });
    input.addEventListener('change', () => commit(input.checked));
    const el = h('div', { class: 'eos-field eos-field-bool', 'data-key': key }, input, h('label', { for: id, title }, label), err);
    return {
      key, el,
      set: (v) => { input.checked = !!v; },
      setDisabled: (d) => { input.disabled = d; },
    };
  }

  if (f.kind === 'enum') {
    const select = h('select', { id, title, 'aria-describedby': errId });
    for (const v of f.values) select.append(h('option', { value: v }, v));
    select.addEventListener('change', () => commit(select.value));
    const el = h('div', { class: 'eos-field', 'data-key': key }, h('label', { for: id, title }, label), select, err);
    return {
      key, el,
      set: (v) => { select.value = String(v); },
      setDisabled: (d) => { select.disabled = d; },
    };
  }

  if (f.kind === 'enumlist') {
    const boxes = f.values.map((v) => {
      const bid = uid(`${key}-${v}`);
      const cb = h('input', { type: 'checkbox', id: bid, value: v });
      return { v, cb, wrap: h('span', { class: 'eos-check' }, cb, h('label', { for: bid }, v)) };
    });
    const onChange = () => {
      const chosen = boxes.filter((b) => b.cb.checked).map((b) => b.v);
      const r = parseField(f, chosen.join(','));
      if (!r.ok) {
        err.textContent = `choose at least ${f.minLen}`;
        return;
      }
      err.textContent = '';
      commit(r.value);
    };
    for (const b of boxes) b.cb.addEventListener('change', onChange);
    const el = h(
      'fieldset',
      { class: 'eos-field eos-field-list', 'data-key': key, title },
      h('legend', {}, label),
      boxes.map((b) => b.wrap),
      err,
    );
    return {
      key, el,
      set: (v) => {
        const list = v as string[];
        for (const b of boxes) b.cb.checked = list.includes(b.v);
      },
      setDisabled: (d) => { for (const b of boxes) b.cb.disabled = d; },
    };
  }

  // Numbers and number lists: text-like inputs validated by the schema parser.
  const isNum = f.kind === 'int' || f.kind === 'real';
  const attrs: Record<string, string | number | boolean> = { id, title, 'aria-describedby': errId, autocomplete: 'off' };
  if (isNum) {
    attrs.type = 'number';
    attrs.min = f.min;
    attrs.max = f.max;
    attrs.step = f.kind === 'int' ? 1 : 'any';
    attrs.inputmode = f.kind === 'int' ? 'numeric' : 'decimal';
  } else {
    attrs.type = 'text';
    attrs.spellcheck = false;
  }
  const input = h('input', attrs);
  input.addEventListener('change', () => {
    const r = parseField(f, input.value);
    if (!r.ok) {
      input.setAttribute('aria-invalid', 'true');
      err.textContent = `${label}: must be ${allowedText(f)}`;
      return;
    }
    input.removeAttribute('aria-invalid');
    err.textContent = '';
    commit(r.value);
  });
  const el = h('div', { class: 'eos-field', 'data-key': key }, h('label', { for: id, title }, label, f.unit ? h('span', { class: 'eos-unit' }, ` (${f.unit})`) : null), input, err);
  return {
    key, el,
    set: (v) => {
      if (isFocused(input) || input.getAttribute('aria-invalid')) return;
      input.value = formatField(f, v);
    },
    setDisabled: (d) => { input.disabled = d; },
  };
}

// ------------------------------------------------------------------------------------
// The step-size control: a log slider (live while dragging) and a number field.

const SLIDER_STEPS = 1000;

/** The slider's range: the engine's hint for a slider, inside the accepted range. */
function sliderRange(): [number, number] {
  const f = SCHEMA.lr as RealField;
  return [Math.log10(f.uiMin ?? f.min), Math.log10(f.uiMax ?? f.max)];
}

export function lrToSlider(lr: number): number {
  const [lo, hi] = sliderRange();
  const p = ((Math.log10(lr) - lo) / (hi - lo)) * SLIDER_STEPS;
  return Math.min(SLIDER_STEPS, Math.max(0, Math.round(p)));
}

export function sliderToLr(p: number): number {
  const [lo, hi] = sliderRange();
  const lr = 10 ** (lo + (p / SLIDER_STEPS) * (hi - lo));
  return Number(lr.toPrecision(3)); // readable values while dragging
}

export interface LrControl extends FieldControl {
  /** Optional readout next to the control (e.g. "2/η = 10"). */
  note: HTMLElement;
}

/**
 * `live` is called while the slider moves (throttled by the caller if needed) and on
 * a committed number entry; both carry a valid η.
 */
export function lrControl(live: (lr: number) => void): LrControl {
  const f = SCHEMA.lr;
  const sid = uid('lr-slider');
  const nid = uid('lr-number');
  const err = errorSlot();
  err.id = uid('lr-err');
  const slider = h('input', {
    type: 'range', id: sid, min: 0, max: SLIDER_STEPS, step: 1,
    'aria-label': 'step size η, log scale', 'aria-describedby': err.id,
  });
  const number = h('input', {
    type: 'number', id: nid, min: f.min, max: f.max, step: 'any', inputmode: 'decimal',
    title: `${f.doc} Allowed: ${allowedText(f)}.`, 'aria-describedby': err.id, autocomplete: 'off',
  });
  const note = h('span', { class: 'eos-lr-note', 'aria-live': 'polite' });
  slider.addEventListener('input', () => {
    const lr = sliderToLr(Number(slider.value));
    number.value = String(lr);
    number.removeAttribute('aria-invalid');
    err.textContent = '';
    slider.setAttribute('aria-valuetext', `η = ${lr}`);
    live(lr);
  });
  number.addEventListener('change', () => {
    const r = parseField(f, number.value);
    if (!r.ok) {
      number.setAttribute('aria-invalid', 'true');
      err.textContent = `η must be ${allowedText(f)}`;
      return;
    }
    number.removeAttribute('aria-invalid');
    err.textContent = '';
    slider.value = String(lrToSlider(r.value as number));
    live(r.value as number);
  });
  const el = h(
    'div',
    { class: 'eos-field eos-field-lr', 'data-key': 'lr' },
    h('label', { for: nid }, f.label),
    h('div', { class: 'eos-lr-row' }, slider, number),
    note,
    err,
  );
  return {
    key: 'lr', el, note,
    set: (v) => {
      const lr = v as number;
      if (!isFocused(slider)) slider.value = String(lrToSlider(lr));
      slider.setAttribute('aria-valuetext', `η = ${lr}`);
      if (!isFocused(number) && !number.getAttribute('aria-invalid')) number.value = String(lr);
    },
    setDisabled: (d) => {
      slider.disabled = d;
      number.disabled = d;
    },
  };
}
