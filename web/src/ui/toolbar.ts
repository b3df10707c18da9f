// The toolbar: preset chooser, play/pause, step, reset, add run (compare), speed,
// and exports (CSV, JSON, PNG). Plain buttons and selects, so every action works
// from the keyboard; play/pause is one toggle button with aria-pressed.

import { PRESETS } from '../state/presets';
import { PRESET_NAMES, type PresetName, SCHEMA } from '../state/schema';
import { h, uid } from './dom';

export type ToolAction = 'play' | 'pause' | 'step' | 'reset' | 'add' | 'csv' | 'json' | 'png' | 'load';
/** Parts of the toolbar that can be left out: the transport buttons, speed, preset (with its blurb), exports. */
export type ToolPart = 'play' | 'speed' | 'preset' | 'export';

export interface ToolbarOptions {
  onAction: (a: ToolAction) => void;
  onPreset: (p: PresetName) => void;
  onSpeed: (stepsPerSecond: number) => void;
}

const SPEEDS = [50, 100, 200, 400, 1000, 3000, 0];

export class Toolbar {
  readonly el: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly addBtn: HTMLButtonElement;
  private readonly preset: HTMLSelectElement;
  private readonly speed: HTMLSelectElement;
  private readonly blurb: HTMLElement;
  private readonly parts: Record<ToolPart, HTMLElement[]>;
  private readonly transport: HTMLElement;

  constructor(root: HTMLElement, opts: ToolbarOptions) {
    this.el = root;
    root.classList.add('eos-toolbar');
    const pid = uid('preset');
    this.preset = h('select', { id: pid });
    PRESET_NAMES.forEach((p, i) => this.preset.append(h('option', { value: p }, `${i + 1}. ${PRESETS[p].title}`)));
    this.preset.addEventListener('change', () => opts.onPreset(this.preset.value as PresetName));
    this.blurb = h('p', { class: 'eos-preset-blurb' });

    this.playBtn = h('button', { type: 'button', class: 'eos-btn eos-primary', 'aria-pressed': 'false' }, 'Play');
    this.playBtn.addEventListener('click', () => opts.onAction(this.playBtn.getAttribute('aria-pressed') === 'true' ? 'pause' : 'play'));
    const btn = (label: string, a: ToolAction, title: string) => {
      const b = h('button', { type: 'button', class: 'eos-btn', title }, label);
      b.addEventListener('click', () => opts.onAction(a));
      return b;
    };
    this.addBtn = btn('+ Add run', 'add', 'Keep the current runs and start another at half the selected run’s η');

    const sid = uid('speed');
    this.speed = h('select', { id: sid, title: SCHEMA.speed.doc });
    for (const s of SPEEDS) this.speed.append(h('option', { value: s }, s === 0 ? 'max' : String(s)));
    this.speed.addEventListener('change', () => opts.onSpeed(Number(this.speed.value)));

    const buttons = [
      this.playBtn,
      btn('Step', 'step', 'Advance every run by one eigenvalue interval (eig_every steps)'),
      btn('Reset', 'reset', 'Start every run again from step 0'),
      this.addBtn,
    ];
    const speedEl = h('span', { class: 'eos-speed' }, h('label', { for: sid }, 'Speed'), this.speed, h('span', { class: 'eos-unit' }, 'steps/s'));
    const presetEl = h('div', { class: 'eos-preset' }, h('label', { for: pid }, 'Preset'), this.preset);
    const exportEl = h(
      'div',
      { class: 'eos-export', role: 'group', 'aria-label': 'Export' },
      h('span', { class: 'eos-export-label' }, 'Export'),
      btn('CSV', 'csv', 'Every run’s per-step record as CSV'),
      btn('JSON', 'json', 'Every run’s config and records as JSON'),
      btn('PNG', 'png', 'The charts as a PNG image'),
      btn('Load JSON…', 'load', 'Load a saved JSON export back as a frozen run over the live ones (or drop the file on the page)'),
    );
    this.transport = h('div', { class: 'eos-transport', role: 'group', 'aria-label': 'Run controls' }, buttons, speedEl);
    this.parts = { play: buttons, speed: [speedEl], preset: [presetEl, this.blurb], export: [exportEl] };
    root.append(presetEl, this.transport, exportEl, this.blurb);
  }

  /** Leaves out the parts not listed (a group or the whole toolbar goes when nothing in it is left). */
  show(parts: readonly ToolPart[]): void {
    for (const [p, els] of Object.entries(this.parts) as [ToolPart, HTMLElement[]][]) {
      for (const el of els) el.classList.toggle('eos-off', !parts.includes(p));
    }
    this.transport.classList.toggle('eos-off', !parts.includes('play') && !parts.includes('speed'));
    this.el.classList.toggle('eos-off', parts.length === 0);
  }

  update(playing: boolean, preset: PresetName, speed: number, canAdd: boolean): void {
    this.playBtn.setAttribute('aria-pressed', String(playing));
    this.playBtn.textContent = playing ? 'Pause' : 'Play';
    this.preset.value = preset;
    this.blurb.textContent = PRESETS[preset].blurb;
    if (![...this.speed.options].some((o) => Number(o.value) === speed)) {
      this.speed.append(h('option', { value: speed }, String(speed)));
    }
    this.speed.value = String(speed);
    this.addBtn.disabled = !canAdd;
  }
}
