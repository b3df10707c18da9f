// Saved runs loaded back into the page: a file picker (the toolbar's "Load JSON…") and
// drag-and-drop of a JSON export onto the app, a card per frozen run with the settings it
// was made with, an "Apply these settings" button that starts a live run from them, and a
// clear message when a file is not a loadable export. The frozen runs are drawn on the
// charts with the live ones (the app passes `runs` to its chart board); they never step.

import { type FrozenRun, importSaved } from '../runs/import';
import { runLabel } from '../runs/run';
import type { AppState } from '../state/schema';
import { toQuery } from '../state/url';
import { h } from './dom';

export interface SavedOptions {
  /** The frozen runs changed (added or removed): redraw the charts. */
  onChange: () => void;
  /** "Apply these settings": replace the live runs by one started from these settings. */
  onApply: (s: AppState) => void;
}

/** Largest file read (a full-resolution export of eight long runs is a few MB). */
const MAX_BYTES = 64 * 1024 * 1024;

function num(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return String(Number(v.toPrecision(4)));
}

export class SavedRuns {
  readonly el: HTMLElement;
  /** The frozen runs, in the order loaded. */
  readonly runs: FrozenRun[] = [];
  private readonly list: HTMLUListElement;
  private readonly msg: HTMLElement;
  /** The file input, made on first use (a file input is slow to create, and most mounts never load a file). */
  private input: HTMLInputElement | null = null;
  private readonly opts: SavedOptions;

  constructor(opts: SavedOptions) {
    this.opts = opts;
    this.list = h('ul', { class: 'eos-run-list eos-saved-list', 'aria-label': 'Saved runs' });
    this.msg = h('p', { class: 'eos-saved-msg', role: 'alert', hidden: true });
    this.el = h('section', { class: 'eos-saved', 'aria-label': 'Saved runs', hidden: true }, this.msg, this.list);
  }

  /** Opens the file picker. */
  pick(): void {
    if (!this.input) {
      const input = h('input', { type: 'file', accept: '.json,application/json', class: 'eos-saved-input', 'aria-label': 'Load a saved JSON export', hidden: true });
      input.addEventListener('change', () => {
        const f = input.files?.[0];
        if (f) void this.load(f);
        input.value = '';
      });
      this.el.append(input);
      this.input = input;
    }
    this.input.click();
  }

  /** Accepts files dropped anywhere on `target`. */
  acceptDrops(target: HTMLElement): void {
    target.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    target.addEventListener('drop', (e) => {
      const f = e.dataTransfer?.files?.[0];
      if (!f) return;
      e.preventDefault();
      void this.load(f);
    });
  }

  async load(f: File): Promise<void> {
    if (f.size > MAX_BYTES) {
      this.say(`${f.name} is ${Math.round(f.size / 1e6)} MB: larger than any export this page writes (at most ${MAX_BYTES / 1e6} MB are read).`);
      return;
    }
    let text: string;
    try {
      text = await f.text();
    } catch (e) {
      this.say(`${f.name} could not be read (${(e as Error).message}).`);
      return;
    }
    this.loadText(text, f.name);
  }

  /** Loads an export's text (what a dropped or picked file holds). */
  loadText(text: string, name: string): boolean {
    const r = importSaved(text, name);
    if (!r.ok) {
      this.say(r.error);
      return false;
    }
    this.runs.push(...r.runs);
    this.say(r.notes.length ? `Loaded ${name}; some of its settings were adjusted: ${r.notes.join('; ')}.` : '');
    this.render();
    this.opts.onChange();
    return true;
  }

  remove(id: number): void {
    const i = this.runs.findIndex((r) => r.id === id);
    if (i < 0) return;
    this.runs.splice(i, 1);
    this.render();
    this.opts.onChange();
  }

  private say(text: string): void {
    this.msg.textContent = text;
    this.msg.hidden = text === '';
    this.el.hidden = this.runs.length === 0 && text === '';
  }

  private render(): void {
    this.el.hidden = this.runs.length === 0 && this.msg.hidden;
    this.list.replaceChildren(...this.runs.map((r) => this.card(r)));
  }

  private card(r: FrozenRun): HTMLLIElement {
    const rows = r.records.rows;
    const last = rows ? r.records.last('step') : 0;
    const stats = `loss ${num(r.records.last('loss'))} · λmax ${num(r.records.lastSharpness())} · threshold ${num(r.records.last('threshold'))}`;
    const apply = h('button', { type: 'button', class: 'eos-btn', title: 'Replace the live runs by a new run with these settings' }, 'Apply these settings');
    apply.addEventListener('click', () => this.opts.onApply(r.settings));
    const remove = h('button', { type: 'button', class: 'eos-btn eos-icon', 'aria-label': 'Remove saved run', title: 'Remove this saved run' }, '×');
    remove.addEventListener('click', () => this.remove(r.id));
    const li = h(
      'li',
      { class: 'eos-run eos-saved-run', 'data-run': r.id, 'data-status': 'frozen' },
      h('span', { class: 'eos-swatch', 'aria-hidden': 'true' }),
      h('span', { class: 'eos-saved-tag' }, 'saved'),
      h(
        'div',
        { class: 'eos-run-text' },
        h('span', { class: 'eos-run-label' }, `${runLabel(r.spec)} (from ${r.file})`),
        h('span', { class: 'eos-run-status' }, `frozen · ${rows} rows to step ${last} · ${r.saved.phase}`),
        h('span', { class: 'eos-run-stats' }, stats),
        h('code', { class: 'eos-saved-settings', title: 'The settings this run was made with' }, toQuery(r.settings) || '(the defaults)'),
        apply,
      ),
      remove,
    );
    li.style.setProperty('--run-color', r.color);
    return li;
  }
}
