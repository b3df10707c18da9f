// The element's own parts around the app, as DOM builders: attribute errors (the element
// does not start), warnings, the placeholder shown until it is scrolled into view, the
// footer with the link to the full lab, and the size classes that follow its box.

import { runLabel } from '../runs/run';
import { type AppState, runSpecs } from '../state/schema';
import { toQuery } from '../state/url';
import { h } from '../ui/dom';
import type { ElementConfig } from './config';

/** Where the attribute reference lives (shown with errors). */
const DOCS_HINT = 'See docs/embedding.md for every attribute and its allowed values.';

export function errorBox(errors: string[]): HTMLElement {
  return h(
    'div',
    { class: 'eos-embed-error', role: 'alert' },
    h('strong', {}, `EoS Lab cannot start: ${errors.length === 1 ? 'an attribute is' : `${errors.length} attributes are`} invalid.`),
    h('ul', {}, errors.map((e) => h('li', {}, e))),
    h('p', {}, DOCS_HINT),
  );
}

export function warningBox(warnings: string[]): HTMLElement | null {
  if (!warnings.length) return null;
  return h(
    'div',
    { class: 'eos-embed-warn', role: 'status' },
    h('strong', {}, 'EoS Lab: '),
    'some attributes were ignored or adjusted:',
    h('ul', {}, warnings.map((w) => h('li', {}, w))),
  );
}

export function placeholder(s: AppState, autoplay: boolean): HTMLElement {
  const runs = runSpecs(s).map(runLabel).join(', ');
  const el = h(
    'div',
    { class: 'eos-embed-note eos-placeholder' },
    h('strong', {}, 'EoS Lab'),
    ` — ${runs} on ${s.dataset}, widths ${s.widths.join('-')}. `,
    autoplay ? 'Starts when scrolled into view.' : 'Ready when scrolled into view.',
  );
  // Reserve roughly the final height so the page does not jump when it mounts.
  el.style.minHeight = `${Math.min(900, 90 + 250 * s.charts.length)}px`;
  return el;
}

/** The footer: what the dashed line is, and "Open in EoS Lab" with the current settings. */
export function footer(cfg: ElementConfig, s: AppState): (Node | string)[] {
  const parts: (Node | string)[] = [h('span', {}, 'Dashed: the stability threshold 2/η (sharpness = top Hessian eigenvalue).')];
  if (cfg.view.href && !cfg.view.hide.includes('link')) {
    let url: string;
    try {
      const u = new URL(cfg.view.href, document.baseURI);
      u.search = toQuery(s);
      url = u.href;
    } catch {
      url = cfg.view.href;
    }
    parts.push(h('a', { href: url, target: '_blank', rel: 'noopener', class: 'eos-embed-link' }, 'Open in EoS Lab ↗'));
  }
  return parts;
}

/** Width classes and chart heights from the element's own box (called from a ResizeObserver). */
export function layout(frame: HTMLElement, probe: HTMLElement, body: HTMLElement, hostWidth: number): void {
  const w = frame.clientWidth || hostWidth;
  const fill = probe.offsetHeight > 0;
  frame.classList.toggle('eos-fill', fill);
  frame.classList.toggle('eos-narrow', w > 0 && w < 520);
  frame.classList.toggle('eos-wide', w >= 1100);
  const charts = body.querySelector('.eos-charts');
  const n = charts ? charts.querySelectorAll('.eos-chart').length : 1;
  charts?.classList.toggle('eos-row', n > 1 && w >= 1100);
  if (!fill && w > 0) {
    // One chart: a 16:7 box; several stacked: a bit flatter; always 160–320 px.
    const per = n > 1 && w < 1100 ? 0.36 : 0.44;
    const width = n > 1 && w >= 1100 ? w / n : w;
    const hpx = Math.round(Math.max(160, Math.min(320, width * per)));
    frame.style.setProperty('--eos-chart-h', `${hpx}px`);
  }
}
