// Unit tests of the page-wide worker cap of <eos-lab> elements (web/src/element/budget.ts),
// on fake members: room is made by evicting figures out of view, the one longest out of view
// first; a figure waits while the figures in view hold too many, and mounts (retry) as soon
// as one of them leaves the view.

import { afterEach, describe, expect, it } from 'vitest';
import { type BudgetMember, PAGE_WORKER_CAP, admit, changed, leave, pageWorkers } from '../../web/src/element/budget';

class Fake implements BudgetMember {
  held = 0;
  inView = false;
  evictions = 0;
  retries = 0;
  constructor(readonly name: string) {}
  workers(): number {
    return this.held;
  }
  active(): boolean {
    return this.inView;
  }
  evict(): void {
    this.evictions++;
    this.held = 0;
  }
  retry(): void {
    this.retries++;
  }
  /** Asks for n workers and takes them if admitted. */
  mount(n: number): boolean {
    const ok = admit(this, n);
    if (ok) this.held = Math.max(this.held, n);
    return ok;
  }
  show(v: boolean): void {
    this.inView = v;
    changed(this);
  }
}

const made: Fake[] = [];
function fake(name: string): Fake {
  const f = new Fake(name);
  made.push(f);
  return f;
}

afterEach(() => {
  for (const f of made.splice(0)) leave(f);
});

describe('page-wide worker cap (budget.ts)', () => {
  it('is the most runs one element can have (8)', () => {
    expect(PAGE_WORKER_CAP).toBe(8);
  });

  it('evicts figures out of view, the one longest out of view first, only as many as needed', async () => {
    const a = fake('a');
    const b = fake('b');
    const c = fake('c');
    a.show(true);
    expect(a.mount(3)).toBe(true);
    a.show(false);
    await new Promise((r) => setTimeout(r, 5)); // a distinct "last active" time
    b.show(true);
    expect(b.mount(3)).toBe(true);
    b.show(false);
    c.show(true);
    expect(pageWorkers()).toBe(6);
    expect(c.mount(4)).toBe(true); // 6 + 4 > 8: one eviction (a, out of view longest) is enough
    expect([a.evictions, b.evictions]).toEqual([1, 0]);
    expect(pageWorkers()).toBe(7);
  });

  it('never evicts a figure in view: the newcomer waits, and retries when one leaves the view', () => {
    const a = fake('a');
    const b = fake('b');
    a.show(true);
    b.show(true);
    expect(a.mount(6)).toBe(true);
    expect(b.mount(4)).toBe(false);
    expect(a.evictions).toBe(0);
    expect(b.workers()).toBe(0);
    a.show(false); // a scrolled away: b is asked to try again, and now a can be evicted
    expect(b.retries).toBe(1);
    expect(b.mount(4)).toBe(true);
    expect(a.evictions).toBe(1);
  });

  it('counts a figure’s own idle workers as room (a remount reuses them)', () => {
    const a = fake('a');
    const b = fake('b');
    a.show(true);
    b.show(true);
    expect(a.mount(6)).toBe(true);
    expect(b.mount(2)).toBe(true);
    expect(a.mount(6)).toBe(true); // same six workers again: fits without evicting anyone
    expect(b.evictions).toBe(0);
  });

  it('a figure that left the page frees its workers for a waiting one', () => {
    const a = fake('a');
    const b = fake('b');
    a.show(true);
    b.show(true);
    a.mount(8);
    expect(b.mount(1)).toBe(false);
    leave(a);
    expect(b.retries).toBe(1);
    expect(b.mount(1)).toBe(true);
  });
});
