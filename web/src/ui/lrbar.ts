// The step size at hand: a compact η control (log slider, value, 2/η) that stays in view
// above the charts at every width (sticky), so the reader can move η and watch the
// sharpness follow 2/η (Cohen et al. 2021, Section 3) without scrolling. It edits the
// selected run, like the η control in the settings. When that run first reaches its edge it
// offers "Halve η now", with one line saying why now.

import { type Run, fmtLr, lrInForce, runLabel, thresholdInForce } from '../runs/run';
import type { Guide } from '../runs/guide';
import { h } from './dom';
import { lrControl, type LrControl } from './fields';

export interface LrBarOptions {
  onLr: (lr: number) => void;
  /** "Halve η now" on the selected run. */
  onHalve: () => void;
}

export class LrBar {
  readonly el: HTMLElement;
  private readonly lr: LrControl;
  private readonly who: HTMLElement;
  private readonly thr: HTMLElement;
  private readonly halve: HTMLButtonElement;
  private readonly why: HTMLElement;
  private lastKey = '';

  constructor(opts: LrBarOptions) {
    this.lr = lrControl(opts.onLr);
    // Not a settings field: the settings panel's own η control keeps data-key="lr".
    this.lr.el.removeAttribute('data-key');
    this.lr.el.className = 'eos-lrbar-field';
    this.who = h('span', { class: 'eos-lrbar-who' });
    this.thr = h('span', { class: 'eos-lrbar-thr', 'aria-live': 'polite' });
    this.halve = h('button', { type: 'button', class: 'eos-btn eos-halve', hidden: true }, 'Halve η now');
    this.halve.addEventListener('click', () => opts.onHalve());
    this.why = h('p', { class: 'eos-lrbar-why', hidden: true });
    this.el = h(
      'div',
      { class: 'eos-lrbar', role: 'group', 'aria-label': 'Step size of the selected run' },
      h('div', { class: 'eos-lrbar-row' }, this.who, this.lr.el, this.thr, this.halve),
      this.why,
    );
  }

  update(run: Run | undefined, guide: Guide | null): void {
    const flow = run?.spec.opt === 'flow';
    const eta = run ? lrInForce(run) : NaN;
    const thr = run ? thresholdInForce(run) : NaN;
    const offer = !!guide?.offerHalve && !flow;
    const key = JSON.stringify([run?.id, run?.spec, run?.color, eta, thr, offer, guide?.halveWhy]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.who.textContent = run ? runLabel(run.spec) : '';
    this.who.style.setProperty('--run-color', run?.color ?? 'currentColor');
    if (run) this.lr.set(run.spec.lr);
    this.lr.setDisabled(!run || flow);
    const what = run?.spec.opt === 'gd' ? '2/η' : 'threshold';
    this.thr.textContent = flow ? 'gradient flow: no threshold' : Number.isFinite(thr) ? `${what} = ${fmtLr(thr)}` : '';
    this.halve.hidden = !offer;
    this.why.hidden = !offer;
    this.why.textContent = offer ? guide!.halveWhy : '';
  }
}
