// The "Share / embed" dialog of the full page: the current run as a link, an <iframe>
// snippet (embed.html) and an <eos-lab> snippet (eos-lab.js), each with a Copy button.
// All three carry the same query (state/url.ts toQuery: only what differs from the preset),
// so they reproduce exactly what is on screen. The snippet builders are pure functions
// (unit-tested); the dialog is a native <dialog> (focus trap, Esc to close).

import type { AppState } from '../state/schema';
import { toQuery } from '../state/url';
import { elementSnippet, escapeAttr, stateToAttributes } from '../element/config';
import { h, uid } from './dom';

export interface ShareSnippets {
  /** The full page with these settings. */
  link: string;
  /** embed.html with these settings (iframe src). */
  embedUrl: string;
  iframe: string;
  /** <script type="module"> + <eos-lab …> */
  element: string;
}

/** Height that shows the charts without scrolling inside the frame (px). */
export function iframeHeight(s: AppState): number {
  return 200 + 210 * s.charts.length;
}

/**
 * Snippets for `state`, with `base` the URL of the directory that holds index.html,
 * embed.html and eos-lab.js (the site root of the built dist/).
 */
export function shareSnippets(state: AppState, base: string): ShareSnippets {
  const dir = base.endsWith('/') ? base : `${base}/`;
  const q = toQuery(state);
  const withQuery = (u: string) => (q ? `${u}?${q}` : u);
  const link = withQuery(dir);
  const embedUrl = withQuery(`${dir}embed.html`);
  const iframe =
    `<iframe src="${escapeAttr(embedUrl)}" title="EoS Lab: the Edge of Stability, live" ` +
    `width="100%" height="${iframeHeight(state)}" style="border:0" loading="lazy"></iframe>`;
  const element =
    `<script type="module" src="${escapeAttr(`${dir}eos-lab.js`)}"></script>\n` +
    elementSnippet(stateToAttributes(q, { href: dir }));
  return { link, embedUrl, iframe, element };
}

/** Copies text; falls back to selecting it (the reader presses Ctrl+C) without the Clipboard API. */
async function copy(text: string, field: HTMLTextAreaElement | HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/**
 * Opens the dialog for `state` inside `root` (removed again on close). `base` defaults
 * to the directory of the current page.
 */
export function openShareDialog(root: HTMLElement, state: AppState, base = new URL('./', location.href).href): HTMLDialogElement {
  const s = shareSnippets(state, base);
  const titleId = uid('share-title');
  const block = (key: string, label: string, text: string, note: string, rows: number) => {
    const id = uid(`share-${key}`);
    const field = h('textarea', { id, rows, readonly: true, spellcheck: false, class: 'eos-share-text', 'data-share': key });
    field.value = text;
    field.addEventListener('focus', () => field.select());
    const status = h('span', { class: 'eos-share-status', 'aria-live': 'polite' });
    const btn = h('button', { type: 'button', class: 'eos-btn', 'data-copy': key }, 'Copy');
    btn.addEventListener('click', async () => {
      const ok = await copy(text, field);
      status.textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.';
    });
    return h(
      'div',
      { class: 'eos-share-block' },
      h('div', { class: 'eos-share-head' }, h('label', { for: id }, label), btn, status),
      field,
      h('p', { class: 'eos-share-note' }, note),
    );
  };
  const close = h('button', { type: 'button', class: 'eos-btn', value: 'close' }, 'Close');
  const dlg = h(
    'dialog',
    { class: 'eos-share', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'Share / embed this run'),
    block('link', 'Link', s.link, 'Opens the full lab with these settings.', 2),
    block('iframe', 'Iframe (any site, any blog)', s.iframe, 'Paste into any HTML page or Markdown post that allows raw HTML. Hide parts with &hide=controls,explain,loss.', 3),
    block(
      'element',
      '<eos-lab> element',
      s.element,
      'Loads eos-lab.js, eos-lab-worker.js and eos-lab.wasm from the address above: this works on pages of the same site, and on other sites when that host allows CORS (GitHub Pages does). Or copy the three files from dist/ next to your page and make the src relative. Attributes: docs/embedding.md.',
      4,
    ),
    h('div', { class: 'eos-share-actions' }, close),
  );
  styleOnce(root);
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => dlg.remove());
  root.append(dlg);
  if (typeof dlg.showModal === 'function') dlg.showModal();
  else dlg.setAttribute('open', '');
  return dlg;
}

/** Adds a "Share / embed" button to the app's toolbar (or `root`); it opens the dialog for `getState()`. */
export function addShareButton(root: HTMLElement, getState: () => AppState): HTMLButtonElement {
  const btn = h('button', { type: 'button', class: 'eos-btn eos-share-btn', title: 'A link, an iframe and an <eos-lab> snippet of the current run' }, 'Share / embed');
  btn.addEventListener('click', () => openShareDialog(root, getState()));
  const slot = root.querySelector('.eos-export') ?? root.querySelector('.eos-toolbar') ?? root;
  slot.append(btn);
  return btn;
}

// The dialog's few rules, injected once per document/shadow root (style.css belongs to the app).
const CSS = `
.eos-share{max-width:min(760px,94vw);width:100%;border:1px solid var(--eos-border,#d0d7de);border-radius:10px;
  background:var(--eos-bg,#fff);color:var(--eos-fg,#1f2328);padding:14px 18px;box-sizing:border-box}
.eos-share::backdrop{background:rgba(0,0,0,.45)}
.eos-share h2{margin:0 0 10px;font-size:1.15em}
.eos-share-block{margin-bottom:12px}
.eos-share-head{display:flex;align-items:center;gap:10px;margin-bottom:4px}
.eos-share-head label{font-weight:600;flex:1}
.eos-share-status{font-size:.85em;color:var(--eos-muted,#59636e)}
.eos-share-text{width:100%;box-sizing:border-box;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  border:1px solid var(--eos-border,#d0d7de);border-radius:6px;padding:6px 8px;background:var(--eos-panel,#f6f8fa);color:inherit;resize:vertical}
.eos-share-note{margin:4px 0 0;font-size:.85em;color:var(--eos-muted,#59636e)}
.eos-share-actions{display:flex;justify-content:flex-end}
`;
const styled = new WeakSet<Node>();
function styleOnce(root: HTMLElement): void {
  const host = root.getRootNode() as Document | ShadowRoot;
  if (styled.has(host)) return;
  styled.add(host);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    host.adoptedStyleSheets = [...host.adoptedStyleSheets, sheet];
  } catch {
    const el = h('style', {}, CSS);
    (host instanceof Document ? host.head : host).append(el);
  }
}
