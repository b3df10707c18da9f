// The <eos-lab> custom element: the app (ui/app.ts mountApp, same runs, charts and
// controls as the full page) in a compact layout inside a Shadow DOM, configured by
// attributes with the same names and values as the URL state (config.ts).
//
// Life cycle:
//   - connected: parse attributes; errors → a message inside the element (never a blank
//     box); else a placeholder until the element is scrolled into view
//     (IntersectionObserver), then mount and play;
//   - out of view or in a background tab (visibilitychange): pause, and resume on return
//     (only if it was playing: a reader's own Pause is kept);
//   - attribute changed: re-applied (batched per task); η alone is applied live, view-only
//     attributes without restarting, anything else remounts (workers come from a per-element
//     pool, so no new worker or .wasm is fetched);
//   - disconnected: workers terminated (unless it is re-inserted in the same task, i.e. moved).
// Each element has its own RunManager and workers: several elements on one page are
// independent. Test/automation hooks: exportData(), status(), play(), pause(), ...

import appCss from '../style.css?inline';
import elementCss from './element.css?inline';
import type { WorkerFactory } from '../runs/manager';
import type { ExportedRun } from '../runs/export';
import { runLabel } from '../runs/manager';
import { type AppState, SCHEMA, cloneState, toQuery } from '../state/schema';
import { type AppHandle, mountApp } from '../ui/app';
import { h } from '../ui/dom';
import { type ElementConfig, OBSERVED_ATTRIBUTES, TAG, parseElementConfig } from './config';
import { WorkerPool } from './pool';

/** Where the attribute reference lives (shown with errors). */
const DOCS_HINT = 'See docs/embedding.md for every attribute and its allowed values.';

let sharedSheet: CSSStyleSheet | null | undefined;
/** One constructable stylesheet for every instance (adoptedStyleSheets is not subject to CSP style-src). */
function sheet(): CSSStyleSheet | null {
  if (sharedSheet === undefined) {
    try {
      const s = new CSSStyleSheet();
      s.replaceSync(`${appCss}\n${elementCss}`);
      sharedSheet = s;
    } catch {
      sharedSheet = null;
    }
  }
  return sharedSheet;
}

export interface RunStatus {
  id: number;
  label: string;
  phase: string;
  rows: number;
  step: number;
  lr: number;
  sharpness: number;
  threshold: number;
}

export class EosLabElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return [...OBSERVED_ATTRIBUTES];
  }
  /** Set by the entry module (eos-lab.ts) before define(). */
  static createWorker: WorkerFactory | null = null;

  private readonly shadow: ShadowRoot;
  private readonly frame: HTMLDivElement;
  private readonly probe: HTMLDivElement;
  private readonly notes: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly foot: HTMLDivElement;
  private cfg: ElementConfig | null = null;
  private app: AppHandle | null = null;
  private pool: WorkerPool | null = null;
  private visible = false;
  private pageHidden = false;
  /** Paused by us (out of view / background tab), to resume on return. */
  private autoPaused = false;
  /** Has been in view once: mount on (re)configuration at once. */
  private started = false;
  private mountCount = 0;
  private applyQueued = false;
  private io: IntersectionObserver | null = null;
  private ro: ResizeObserver | null = null;
  private readonly onVisibility = () => {
    this.pageHidden = document.visibilityState === 'hidden';
    this.updateActivity();
  };

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: 'open' });
    const s = sheet();
    if (s) this.shadow.adoptedStyleSheets = [s];
    else this.shadow.append(h('style', {}, `${appCss}\n${elementCss}`));
    this.probe = h('div', { class: 'eos-probe', 'aria-hidden': 'true' });
    this.notes = h('div', { class: 'eos-embed-notes' });
    this.body = h('div', { class: 'eos-embed-body' });
    this.foot = h('div', { class: 'eos-embed-foot' });
    this.frame = h('div', { class: 'eos-embed eos-app', part: 'frame' }, this.notes, this.body, this.foot);
    this.shadow.append(this.probe, this.frame);
  }

  // ---------------------------------------------------------------- custom element callbacks

  connectedCallback(): void {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'EoS Lab: interactive Edge of Stability demo');
    this.pageHidden = document.visibilityState === 'hidden';
    document.addEventListener('visibilitychange', this.onVisibility);
    if (!this.io && typeof IntersectionObserver === 'function') {
      this.io = new IntersectionObserver((entries) => {
        const e = entries[entries.length - 1];
        this.visible = e.isIntersecting;
        this.updateActivity();
      });
      this.io.observe(this);
    } else if (!this.io) {
      this.visible = true; // no IntersectionObserver: treat as visible
    }
    if (!this.ro && typeof ResizeObserver === 'function') {
      this.ro = new ResizeObserver(() => this.layout());
      this.ro.observe(this);
      this.ro.observe(this.probe);
    }
    this.apply();
  }

  disconnectedCallback(): void {
    // A move (remove + insert in the same task) reconnects before this microtask runs.
    queueMicrotask(() => {
      if (this.isConnected) return;
      document.removeEventListener('visibilitychange', this.onVisibility);
      this.io?.disconnect();
      this.io = null;
      this.ro?.disconnect();
      this.ro = null;
      this.visible = false;
      this.started = false; // re-inserted later: wait to be in view again
      this.unmount();
      this.pool?.dispose();
      this.pool = null;
    });
  }

  attributeChangedCallback(_name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.isConnected || this.applyQueued) return;
    // Several attributes set in one script turn are applied together.
    this.applyQueued = true;
    queueMicrotask(() => {
      this.applyQueued = false;
      if (this.isConnected) this.apply();
    });
  }

  // ---------------------------------------------------------------- public API (tests, scripts)

  /** Every run's settings and records (the same shape as the full page's JSON export). */
  exportData(): ExportedRun[] {
    return this.app ? this.app.runs() : [];
  }

  /** Cheap per-run progress (no record arrays). */
  status(): RunStatus[] {
    if (!this.app) return [];
    return this.app.manager.runs.map((r) => ({
      id: r.id,
      label: runLabel(r.spec),
      phase: r.phase,
      rows: r.records.rows,
      step: r.records.rows ? r.records.last('step') : -1,
      lr: r.lr,
      sharpness: r.records.lastSharpness(),
      threshold: r.records.last('threshold'),
    }));
  }

  /** The state the element runs (after attribute parsing), or null while attributes are invalid. */
  get state(): AppState | null {
    if (this.app) return this.app.state();
    return this.cfg?.ok ? cloneState(this.cfg.state) : null;
  }
  /** Blocking attribute problems shown in the element. */
  get errors(): string[] {
    return this.cfg ? [...this.cfg.errors] : [];
  }
  /** Non-blocking notes (unknown attributes, adjusted settings). */
  get warnings(): string[] {
    return this.cfg ? [...this.cfg.warnings] : [];
  }
  /** Mounted (has been in view with valid attributes). */
  get running(): boolean {
    return this.app !== null;
  }
  get playing(): boolean {
    return !!this.app?.manager.playing;
  }
  /** How many times the app was (re)mounted: re-applying attributes that need a restart adds one. */
  get mounts(): number {
    return this.mountCount;
  }
  /** Worker count of this element (created so far). */
  get workersCreated(): number {
    return this.pool?.created ?? 0;
  }
  play(): void {
    this.autoPaused = false;
    this.app?.manager.play();
  }
  pause(): void {
    this.autoPaused = false;
    this.app?.manager.pause();
  }
  reset(): void {
    this.app?.manager.reset();
  }

  // ---------------------------------------------------------------- configuration

  private apply(): void {
    const prev = this.cfg;
    const cfg = parseElementConfig([...this.attributes].map((a) => [a.name, a.value] as const));
    this.cfg = cfg;
    this.renderNotes(cfg);
    this.renderFoot(this.app && cfg.ok ? this.app.state() : undefined);
    if (!cfg.ok) {
      this.unmount();
      this.dispatchEvent(new CustomEvent('eos-error', { detail: { errors: cfg.errors } }));
      return;
    }
    if (!this.app) {
      if (this.started || this.isActive()) this.mount();
      else this.renderPlaceholder(cfg.state);
      return;
    }
    // Mounted and still valid: what changed?
    const want = cfg.state;
    const diff = (Object.keys(SCHEMA) as (keyof AppState)[]).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(prev?.state[k]));
    const run0 = this.app.manager.runs[0];
    if (diff.length === 1 && diff[0] === 'lr' && run0) {
      this.app.select(run0.id);
      this.app.setLr(want.lr); // live, marked on the charts
    } else if (diff.length > 0) {
      this.unmount();
      this.mount();
      return;
    }
    this.decorate(); // controls / hide / href may have changed
    this.layout();
  }

  private mount(): void {
    const cfg = this.cfg;
    if (!cfg?.ok) return;
    const factory = EosLabElement.createWorker;
    if (!factory) {
      this.renderError(['no worker factory: load the element through eos-lab.js']);
      return;
    }
    this.started = true;
    this.mountCount++;
    this.pool ??= new WorkerPool(factory);
    this.body.replaceChildren();
    const root = h('div', {});
    this.body.append(root);
    this.app = mountApp(root, {
      initial: cfg.state,
      createWorker: this.pool.get,
      autoplay: false,
      onStateChange: (s) => {
        this.renderFoot(s);
        this.dispatchEvent(new CustomEvent('eos-change', { detail: { query: toQuery(s) } }));
      },
    });
    this.decorate();
    this.layout();
    this.autoPaused = false;
    if (cfg.view.autoplay) {
      if (this.isActive()) this.app.manager.play();
      else this.autoPaused = true; // start when back in view
    }
    this.renderFoot(this.app.state());
    this.dispatchEvent(new CustomEvent('eos-start'));
  }

  private unmount(): void {
    if (!this.app) return;
    this.app.destroy(); // run manager drops its runs: the pool takes the workers back
    this.app = null;
    this.body.replaceChildren();
    this.autoPaused = false;
  }

  private isActive(): boolean {
    return this.visible && !this.pageHidden;
  }

  private updateActivity(): void {
    const active = this.isActive();
    if (!this.app) {
      if (active && this.cfg?.ok) this.mount();
      return;
    }
    const m = this.app.manager;
    if (!active && m.playing) {
      m.pause();
      this.autoPaused = true;
    } else if (active && this.autoPaused) {
      this.autoPaused = false;
      m.play();
    }
  }

  // ---------------------------------------------------------------- rendering

  private renderNotes(cfg: ElementConfig): void {
    this.notes.replaceChildren();
    if (!cfg.ok) {
      this.renderError(cfg.errors);
      return;
    }
    if (cfg.warnings.length) {
      this.notes.append(
        h('div', { class: 'eos-embed-warn', role: 'status' }, h('strong', {}, 'EoS Lab: '), 'some attributes were ignored or adjusted:', h('ul', {}, cfg.warnings.map((w) => h('li', {}, w)))),
      );
    }
  }

  private renderError(errors: string[]): void {
    this.body.replaceChildren();
    this.notes.replaceChildren(
      h(
        'div',
        { class: 'eos-embed-error', role: 'alert' },
        h('strong', {}, `EoS Lab cannot start: ${errors.length === 1 ? 'an attribute is' : `${errors.length} attributes are`} invalid.`),
        h('ul', {}, errors.map((e) => h('li', {}, e))),
        h('p', {}, DOCS_HINT),
      ),
    );
  }

  private renderPlaceholder(s: AppState): void {
    const runs = [{ opt: s.opt, lr: s.lr, beta: s.beta }, ...s.compare].map(runLabel).join(', ');
    this.body.replaceChildren(
      h(
        'div',
        { class: 'eos-embed-note eos-placeholder' },
        h('strong', {}, 'EoS Lab'),
        ` — ${runs} on ${s.dataset}, widths ${s.widths.join('-')}. `,
        this.cfg?.view.autoplay ? 'Starts when scrolled into view.' : 'Ready when scrolled into view.',
      ),
    );
    // Reserve roughly the final height so the page does not jump when it mounts.
    (this.body.firstElementChild as HTMLElement).style.minHeight = `${Math.min(900, 90 + 250 * s.charts.length)}px`;
  }

  private renderFoot(s?: AppState): void {
    const cfg = this.cfg;
    this.foot.replaceChildren();
    if (!cfg?.ok) return;
    const parts: (Node | string)[] = [];
    parts.push(h('span', {}, 'Dashed: the stability threshold 2/η (sharpness = top Hessian eigenvalue).'));
    if (cfg.view.href && !cfg.view.hide.includes('link')) {
      const q = toQuery(s ?? cfg.state);
      let url: string;
      try {
        const u = new URL(cfg.view.href, document.baseURI);
        u.search = q;
        url = u.href;
      } catch {
        url = cfg.view.href;
      }
      parts.push(h('a', { href: url, target: '_blank', rel: 'noopener', class: 'eos-embed-link' }, 'Open in EoS Lab ↗'));
    }
    this.foot.append(...parts);
  }

  /** Applies `controls` and `hide` to the mounted app (by the app's own class names / data-key). */
  private decorate(): void {
    const app = this.app;
    const cfg = this.cfg;
    if (!app || !cfg?.ok) return;
    const v = cfg.view;
    const root = this.body;
    const want = new Set(v.controls);
    const off = (el: Element | null | undefined, isOff: boolean) => el?.classList.toggle('eos-off', isOff);

    // Toolbar: transport (play), speed, preset (+ its blurb), export.
    const toolbar = root.querySelector('.eos-toolbar');
    const transport = root.querySelector('.eos-transport');
    for (const b of transport?.querySelectorAll(':scope > button') ?? []) off(b, !want.has('play'));
    off(root.querySelector('.eos-speed'), !want.has('speed'));
    off(transport, !want.has('play') && !want.has('speed'));
    off(root.querySelector('.eos-preset'), !want.has('preset'));
    off(root.querySelector('.eos-preset-blurb'), !want.has('preset'));
    off(root.querySelector('.eos-export'), !want.has('export'));
    off(toolbar, !['play', 'speed', 'preset', 'export'].some((c) => want.has(c)));

    // Settings panel: one element per field (data-key), grouped in fieldsets.
    const panel = root.querySelector('.eos-controls');
    if (panel) {
      for (const f of panel.querySelectorAll('[data-key]')) {
        off(f, !v.allControls && !want.has((f as HTMLElement).dataset.key ?? ''));
      }
      for (const g of panel.querySelectorAll(':scope > fieldset, :scope > details')) {
        const any = [...g.querySelectorAll('[data-key]')].some((f) => !f.classList.contains('eos-off'));
        off(g, !any);
      }
      off(panel, ![...panel.querySelectorAll('[data-key]')].some((f) => !f.classList.contains('eos-off')));
    }

    off(root.querySelector('.eos-runs'), v.hide.includes('runs'));

    // Explanation: folded away in a <details> (the post around the element is the text).
    const explain = root.querySelector('.eos-explain');
    if (explain) {
      let det = explain.parentElement?.closest('details.eos-embed-explain') as HTMLDetailsElement | null;
      if (!det) {
        det = h('details', { class: 'eos-embed-explain' }, h('summary', {}, 'What am I looking at?'));
        explain.replaceWith(det);
        det.append(explain);
      }
      off(det, v.hide.includes('explain'));
    }
  }

  /** Width classes and chart heights from the element's own box (ResizeObserver). */
  private layout(): void {
    const w = this.frame.clientWidth || this.clientWidth;
    const fill = this.probe.offsetHeight > 0;
    this.frame.classList.toggle('eos-fill', fill);
    this.frame.classList.toggle('eos-narrow', w > 0 && w < 520);
    this.frame.classList.toggle('eos-wide', w >= 1100);
    const charts = this.body.querySelector('.eos-charts');
    const n = charts ? charts.querySelectorAll('.eos-chart').length : 1;
    charts?.classList.toggle('eos-row', n > 1 && w >= 1100);
    if (!fill && w > 0) {
      // One chart: a 16:7 box; several stacked: a bit flatter; always 160–320 px.
      const per = n > 1 && w < 1100 ? 0.36 : 0.44;
      const width = n > 1 && w >= 1100 ? w / n : w;
      const hpx = Math.round(Math.max(160, Math.min(320, width * per)));
      this.frame.style.setProperty('--eos-chart-h', `${hpx}px`);
    }
  }
}

/** Registers the element once (a second script copy on the page is harmless). */
export function defineEosLab(createWorker: WorkerFactory, tag = TAG): typeof EosLabElement {
  if (!EosLabElement.createWorker) EosLabElement.createWorker = createWorker;
  const existing = customElements.get(tag);
  if (existing) return existing as typeof EosLabElement;
  customElements.define(tag, EosLabElement);
  return EosLabElement;
}

declare global {
  interface HTMLElementTagNameMap {
    'eos-lab': EosLabElement;
  }
}
