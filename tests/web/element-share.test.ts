// Unit tests of the "Share / embed" snippets (web/src/ui/share.ts): the link, the iframe
// src and the <eos-lab> snippet all reproduce exactly the state they were made from, point
// under the given base directory, and escape HTML.
import { describe, expect, it } from 'vitest';
import { parseElementConfig } from '../../web/src/element/config';
import { iframeHeight, shareSnippets } from '../../web/src/ui/share';
import { defaultState } from '../../web/src/state/schema';
import { presetState } from '../../web/src/state/presets';
import { parseQuery } from '../../web/src/state/url';

const BASE = 'https://example.org/blog/eos-lab/';

function attrsOf(html: string): [string, string][] {
  const tag = /<eos-lab([^>]*)>/.exec(html)![1];
  return [...tag.matchAll(/ ([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')]);
}

describe('shareSnippets', () => {
  const s = presetState('figure1');
  s.lr = 0.15;
  s.charts = ['sharpness', 'loss'];
  s.x = 'time';
  const out = shareSnippets(s, BASE);

  it('link: the full page with the state in its query', () => {
    const u = new URL(out.link);
    expect(u.origin + u.pathname).toBe(BASE);
    const back = parseQuery(u.search);
    expect(back.messages).toEqual([]);
    expect(back.state).toEqual(s);
  });

  it('iframe: embed.html next to the page, same state, escaped src, sensible height', () => {
    expect(out.iframe.startsWith('<iframe src="https://example.org/blog/eos-lab/embed.html?')).toBe(true);
    const src = /src="([^"]+)"/.exec(out.iframe)![1].replace(/&amp;/g, '&');
    expect(src).toBe(out.embedUrl);
    expect(out.iframe).not.toMatch(/src="[^"]*&(?!amp;)/); // raw & must be escaped in HTML
    const c = parseElementConfig(new URL(src).searchParams, 'parameter');
    expect(c.errors).toEqual([]);
    expect(c.state).toEqual(s);
    expect(out.iframe).toContain(`height="${iframeHeight(s)}"`);
    expect(out.iframe).toContain('title="');
  });

  it('element: script next to the page + <eos-lab> whose attributes parse back to the state', () => {
    expect(out.element.split('\n')[0]).toBe('<script type="module" src="https://example.org/blog/eos-lab/eos-lab.js"></script>');
    const attrs = attrsOf(out.element);
    const c = parseElementConfig(attrs);
    expect(c.errors).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.state).toEqual(s);
    expect(c.view.href).toBe(BASE);
  });

  it('default state: no query at all', () => {
    const d = shareSnippets(defaultState(), 'https://example.org/lab'); // base without trailing slash
    expect(d.link).toBe('https://example.org/lab/');
    expect(d.embedUrl).toBe('https://example.org/lab/embed.html');
    expect(attrsOf(d.element)).toEqual([['href', 'https://example.org/lab/']]);
  });
});
