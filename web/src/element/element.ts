// The <eos-lab> custom element: the app (ui/app.ts mountApp, same runs, charts and
// controls as the full page) in a compact layout inside a Shadow DOM, configured by
// attributes with the same names and values as the URL state (config.ts).
//
// Life cycle:
//   - connected: parse attributes; errors → a message inside the element (never a blank
//     box); else a placeholder until the element is scrolled into view, then mount and play;
//   - out of view or in a background tab: pause, and resume on return (only if it was
//     playing: a reader's own Pause is kept);
//   - attribute changed: re-applied (batched per task); η alone is applied live,
//     controls/hide/href without restarting, anything else remounts (workers come from a
//     per-element pool, so no new worker or .wasm is fetched);
//   - disconnected: workers terminated (unless it is re-inserted in the same task, i.e. moved).
// Each element has its own app and workers: several elements on one page are independent.
// Test/automation hooks: exportData(), status(), play(), pause(), reset(), ...

import appCss from '../style.css?inline';
import elementCss from './element.css?inline';
import type { ExportedRun } from '../runs/export';
import type { WorkerFactory } from '../runs/run';
import { type AppState, FIELD_KEYS, cloneState, sameValue } from '../state/schema';
import { toQuery } from '../state/url';
import { type AppHandle, type RunSummary, type Visibility, mountApp } from '../ui/app';
import { h } from '../ui/dom';
import { Activity } from './activity';
import { type ElementConfig, type ViewConfig, OBSERVED_ATTRIBUTES, TAG, parseElementConfig } from './config';
import { errorBox, footer, layout, placeholder, warningBox } from './parts';
import { WorkerPool } from './pool';
import * as budget from './budget';
import { runSpecs } from '../state/schema';

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

/** What the element's `controls`/`hide` attributes ask of the app. */
function visibility(v: ViewConfig): Visibility {
  return {
    controls: v.allControls ? 'all' : v.controls,
    hide: v.hide.filter((p): p is 'runs' | 'explain' => p === 'runs' || p === 'explain'),
    foldExplanation: true,
  };
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
  private readonly activity = new Activity(this, () => this.updateActivity());
  private cfg: ElementConfig | null = null;
  private app: AppHandle | null = null;
  private pool: WorkerPool | null = null;
  /** Paused by us (out of view / background tab), to resume on return. */
  private autoPaused = false;
  /** Has been in view once: mount on (re)configuration at once. */
  private started = false;
  private mountCount = 0;
  private applyQueued = false;
  private ro: ResizeObserver | null = null;
  /** This element as the page-wide worker cap sees it (budget.ts). */
  private readonly member: budget.BudgetMember = {
    workers: () => this.pool?.size ?? 0,
    active: () => this.activity.active,
    evict: () => this.evict(),
    retry: () => {
      if (!this.app && this.cfg?.ok && this.activity.active) this.mount();
    },
  };
  private evictions = 0;
  private waitingForRoom = false;

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
    this.activity.start();
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
      this.activity.stop();
      this.ro?.disconnect();
      this.ro = null;
      this.started = false; // re-inserted later: wait to be in view again
      this.unmount();
      this.pool?.dispose();
      this.pool = null;
      budget.leave(this.member);
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
  status(): RunSummary[] {
    return this.app ? this.app.status() : [];
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
  /** Non-blocking notes (unknown attributes, repeated ones). */
  get warnings(): string[] {
    return this.cfg ? [...this.cfg.warnings] : [];
  }
  /** Mounted (has been in view with valid attributes). */
  get running(): boolean {
    return this.app !== null;
  }
  get playing(): boolean {
    return !!this.app?.playing();
  }
  /** How many times the app was (re)mounted: re-applying attributes that need a restart adds one. */
  get mounts(): number {
    return this.mountCount;
  }
  /** Worker count of this element (created so far). */
  get workersCreated(): number {
    return this.pool?.created ?? 0;
  }
  /** Waiting for the page's figures in view to free workers (budget.ts). */
  get waiting(): boolean {
    return this.waitingForRoom;
  }
  /** How many times it gave its workers back to the page's cap while out of view. */
  get evicted(): number {
    return this.evictions;
  }
  play(): void {
    this.autoPaused = false;
    this.app?.play();
  }
  pause(): void {
    this.autoPaused = false;
    this.app?.pause();
  }
  reset(): void {
    this.app?.reset();
  }

  // ---------------------------------------------------------------- configuration

  private apply(): void {
    const prev = this.cfg;
    const cfg = parseElementConfig([...this.attributes].map((a) => [a.name, a.value] as const));
    this.cfg = cfg;
    this.notes.replaceChildren(...(cfg.ok ? [warningBox(cfg.warnings)].filter((x) => x !== null) : [errorBox(cfg.errors)]));
    if (!cfg.ok) {
      this.unmount();
      this.body.replaceChildren();
      this.foot.replaceChildren();
      this.dispatchEvent(new CustomEvent('eos-error', { detail: { errors: cfg.errors } }));
      return;
    }
    if (!this.app) {
      this.renderFoot(cfg.state);
      if (this.started || this.activity.active) this.mount();
      else this.body.replaceChildren(placeholder(cfg.state, cfg.view.autoplay));
      return;
    }
    // Mounted and still valid: what changed?
    const want = cfg.state;
    const diff = FIELD_KEYS.filter((k) => !sameValue(want[k], prev?.state[k]));
    if (diff.length === 1 && diff[0] === 'lr') {
      const first = this.app.status()[0];
      if (first) this.app.select(first.id);
      this.app.setLr(want.lr); // live, marked on the charts
    } else if (diff.length === 1 && diff[0] === 'batch') {
      this.app.setBatch(want.batch); // live, like η: the runs continue with the new mini-batch size
    } else if (diff.length > 0) {
      this.unmount();
      this.mount();
      return;
    }
    this.app.setVisible(visibility(cfg.view)); // controls / hide may have changed
    this.renderFoot(this.app.state());
    this.layout();
  }

  private mount(): void {
    const cfg = this.cfg;
    if (!cfg?.ok) return;
    const factory = EosLabElement.createWorker;
    if (!factory) {
      this.body.replaceChildren();
      this.notes.replaceChildren(errorBox(['no worker factory: load the element through eos-lab.js']));
      return;
    }
    // The page-wide worker cap: room is made by evicting figures out of view, else wait.
    this.waitingForRoom = !budget.admit(this.member, runSpecs(cfg.state).length);
    if (this.waitingForRoom) {
      this.body.replaceChildren(waitingNote(cfg.state));
      return;
    }
    this.started = true;
    this.mountCount++;
    // A run the reader adds later asks for room too (if none can be made it still starts).
    this.pool ??= new WorkerPool(() => {
      budget.admit(this.member, (this.pool?.size ?? 0) + 1);
      return factory();
    });
    const root = h('div', {});
    this.body.replaceChildren(root);
    this.app = mountApp(root, {
      initial: cfg.state,
      createWorker: this.pool.get,
      autoplay: false,
      visible: visibility(cfg.view),
      onStateChange: (s) => {
        this.renderFoot(s);
        this.dispatchEvent(new CustomEvent('eos-change', { detail: { query: toQuery(s) } }));
      },
    });
    // Sizing reads the new layout (a forced layout of the page): in a task of its own, which
    // runs before the charts, made one per frame from the next frame on, need the sizes.
    setTimeout(() => this.layout(), 0);
    this.autoPaused = false;
    if (cfg.view.autoplay) {
      if (this.activity.active) this.app.play();
      else this.autoPaused = true; // start when back in view
    }
    this.renderFoot(this.app.state());
    this.dispatchEvent(new CustomEvent('eos-start'));
  }

  private unmount(): void {
    if (!this.app) return;
    this.app.destroy(); // the runs are dropped: the pool takes the workers back
    this.app = null;
    this.body.replaceChildren();
    this.autoPaused = false;
  }

  private updateActivity(): void {
    budget.changed(this.member);
    const active = this.activity.active;
    if (!this.app) {
      if (active && this.cfg?.ok) this.mount();
      return;
    }
    if (!active && this.app.playing()) {
      this.app.pause();
      this.autoPaused = true;
    } else if (active && this.autoPaused) {
      this.autoPaused = false;
      this.app.play();
    }
  }

  /** Out of view and its workers are needed elsewhere: end them; start over when back in view. */
  private evict(): void {
    // The workers end now (the cap counts them); the app's DOM and charts go in a task of
    // their own, so that the figure taking the workers does not mount in one long task.
    const app = this.app;
    this.app = null;
    this.autoPaused = false;
    if (app) setTimeout(() => app.destroy(), 0);
    this.pool?.dispose();
    this.pool = null;
    this.started = false;
    this.evictions++;
    if (this.cfg?.ok) this.body.replaceChildren(placeholder(this.cfg.state, this.cfg.view.autoplay));
  }

  private renderFoot(s: AppState): void {
    this.foot.replaceChildren(...(this.cfg?.ok ? footer(this.cfg, s) : []));
  }

  private layout(): void {
    layout(this.frame, this.probe, this.body, this.clientWidth);
  }
}

/** Shown while the figures in view hold every worker the page allows. */
function waitingNote(s: AppState): HTMLElement {
  const el = placeholder(s, true);
  // Its last line ("Starts when scrolled into view.") becomes why it has not started.
  el.lastChild?.replaceWith(
    h('span', { class: 'eos-waiting' }, `Waiting for a free engine: the figures in view use the page's ${budget.PAGE_WORKER_CAP} workers; it starts when one of them is scrolled away.`),
  );
  return el;
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
