// The list of runs: one card per run with its colour, label, status ("diverged at
// step t", "failed: <the engine's message>", "computing λ₁…λ₁₀ · 38 HVPs · 12 s"),
// latest loss and sharpness against the engine's threshold, speed (steps/s), a radio
// to select which run the optimiser controls edit, and a remove button.

import { type Run, runLabel, statusText, thresholdInForce } from '../runs/run';
import { STALL_LINE, guideFor } from '../runs/guide';
import { h, uid } from './dom';

export interface RunListOptions {
  onSelect: (id: number) => void;
  onRemove: (id: number) => void;
  /** The "central flow" toggle of a GD run. */
  onCentral?: (id: number, on: boolean) => void;
}

interface Row {
  li: HTMLLIElement;
  radio: HTMLInputElement;
  label: HTMLLabelElement;
  status: HTMLElement;
  stats: HTMLElement;
  /** How far a live change extended the run; why the sharpness stalled. */
  note: HTMLElement;
  remove: HTMLButtonElement;
  /** "central flow" toggle (GD runs only) and the flow's line. */
  central: HTMLLabelElement;
  centralBox: HTMLInputElement;
  flowStats: HTMLElement;
}

function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

export class RunList {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly rows = new Map<number, Row>();
  private readonly name = uid('run-select');
  private readonly opts: RunListOptions;

  constructor(root: HTMLElement, opts: RunListOptions) {
    this.el = root;
    this.opts = opts;
    root.classList.add('eos-runs');
    this.list = h('ul', { class: 'eos-run-list', 'aria-label': 'Runs' });
    root.append(this.list);
  }

  update(runs: readonly Run[], selected: number, now: number): void {
    const ids = new Set(runs.map((r) => r.id));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.li.remove();
        this.rows.delete(id);
      }
    }
    runs.forEach((r, index) => {
      let row = this.rows.get(r.id);
      if (!row) {
        row = this.makeRow(r.id);
        this.rows.set(r.id, row);
      }
      if (this.list.children[index] !== row.li) this.list.insertBefore(row.li, this.list.children[index] ?? null);
      row.li.style.setProperty('--run-color', r.color);
      row.li.dataset.status = r.status;
      row.radio.checked = r.id === selected;
      row.li.classList.toggle('eos-selected', r.id === selected);
      setText(row.label, runLabel(r.spec));
      setText(row.status, statusText(r, now));
      const thr = thresholdInForce(r);
      const sharp = r.records.lastSharpness();
      const parts = [`loss ${num(r.records.last('loss'))}`];
      const acc = r.records.last('accuracy');
      if (Number.isFinite(acc)) parts.push(`accuracy ${Math.round(acc * 100)}%`);
      parts.push(`λmax ${num(sharp)}`);
      if (Number.isFinite(thr)) {
        parts.push(`threshold ${num(thr)}`);
        if (Number.isFinite(sharp)) parts.push(`${Math.round((100 * sharp) / thr)}%`);
      }
      if (r.status === 'playing' && !r.busy) parts.push(`${Math.round(r.stepsPerSecond)} steps/s`);
      setText(row.stats, parts.join(' · '));
      const notes: string[] = [];
      if (r.note) notes.push(r.note);
      if (guideFor(r).stall?.stalled) notes.push(`Sharpness stalled below the new 2/η: ${STALL_LINE}`);
      setText(row.note, notes.join(' · '));
      row.note.hidden = notes.length === 0;
      row.remove.disabled = runs.length <= 1;
      row.central.hidden = r.spec.opt !== 'gd';
      row.centralBox.checked = !!r.spec.central;
      const flow = r.flow;
      const flowText = !flow
        ? ''
        : r.flowError
          ? `central flow failed: ${r.flowError}`
          : `central flow · step ${flow.rows > 0 ? flow.last('step') : 0} · predicted average loss ${num(flow.lastCentral('pred_loss'))} · λmax ${num(flow.lastSharpness())}`;
      setText(row.flowStats, flowText);
      row.flowStats.hidden = flowText === '';
    });
  }

  private makeRow(id: number): Row {
    const rid = uid('run');
    const radio = h('input', { type: 'radio', name: this.name, id: rid, value: id });
    radio.addEventListener('change', () => {
      if (radio.checked) this.opts.onSelect(id);
    });
    const label = h('label', { for: rid, class: 'eos-run-label' });
    const status = h('span', { class: 'eos-run-status' });
    const stats = h('span', { class: 'eos-run-stats' });
    const note = h('span', { class: 'eos-run-note', hidden: true });
    const remove = h('button', { type: 'button', class: 'eos-btn eos-icon', 'aria-label': 'Remove run', title: 'Remove this run' }, '×');
    remove.addEventListener('click', () => this.opts.onRemove(id));
    const centralBox = h('input', { type: 'checkbox', class: 'eos-run-central' });
    centralBox.addEventListener('change', () => this.opts.onCentral?.(id, centralBox.checked));
    const central = h('label', { class: 'eos-run-central-toggle', title: 'Integrate this GD run’s central flow (the path it follows on average) and draw it dashed' }, centralBox, ' central flow');
    const flowStats = h('span', { class: 'eos-run-stats eos-run-flow', hidden: true });
    const li = h(
      'li',
      { class: 'eos-run', 'data-run': id },
      h('span', { class: 'eos-swatch', 'aria-hidden': 'true' }),
      radio,
      h('div', { class: 'eos-run-text' }, label, status, stats, note, central, flowStats),
      remove,
    );
    return { li, radio, label, status, stats, note, remove, central, centralBox, flowStats };
  }
}

function setText(el: HTMLElement, t: string): void {
  if (el.textContent !== t) el.textContent = t;
}
