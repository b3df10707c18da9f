// The message area: problems found in the URL (each naming the parameter and what
// it accepts) and run errors, in a live region so screen readers announce them.
// Dismissable; never blocks the page.

import { h } from './dom';

export class Messages {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly title: HTMLElement;
  private readonly keys = new Set<string>();

  constructor(root: HTMLElement) {
    this.el = root;
    root.classList.add('eos-messages');
    root.setAttribute('role', 'alert');
    root.hidden = true;
    this.title = h('strong', {}, '');
    this.list = h('ul', {});
    const close = h('button', { type: 'button', class: 'eos-btn eos-icon', 'aria-label': 'Dismiss messages', title: 'Dismiss' }, '×');
    close.addEventListener('click', () => this.clear());
    root.append(h('div', { class: 'eos-messages-head' }, this.title, close), this.list);
  }

  /** Shows messages under a heading (duplicates are skipped). */
  show(heading: string, msgs: string[]): void {
    if (msgs.length === 0) return;
    this.title.textContent = heading;
    for (const m of msgs) {
      if (this.keys.has(m)) continue;
      this.keys.add(m);
      this.list.append(h('li', {}, m));
    }
    this.el.hidden = false;
  }

  clear(): void {
    this.list.replaceChildren();
    this.keys.clear();
    this.el.hidden = true;
  }

  get texts(): string[] {
    return [...this.list.children].map((li) => li.textContent ?? '');
  }
}
