// Cross-origin isolation on static hosts: registers public/coi-sw.js (a service worker
// that adds COOP/COEP to the site's own responses) and reloads once when it takes
// control, so that the engine can use its threaded module. Nothing happens when the page
// is already isolated (`npm start` sends the headers), in a frame, without service
// workers, on a loopback address (a local server is `npm start` or a test server, whose
// headers are the point: `?coi=sw` forces the worker there), or after one reload that
// did not help (no loop).

const RELOADED = 'eos-coi-reloaded';

export function requestIsolation(): void {
  const forced = new URLSearchParams(location.search).get('coi') === 'sw';
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(location.hostname);
  if (globalThis.crossOriginIsolated || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  if (window.top !== window || (loopback && !forced)) return;
  let once = false;
  try {
    once = sessionStorage.getItem(RELOADED) === '1';
  } catch {
    return; // no session storage: no way to avoid a reload loop
  }
  navigator.serviceWorker
    .register(new URL('coi-sw.js', document.baseURI))
    .then((reg) => {
      if (once) return;
      const reload = () => {
        sessionStorage.setItem(RELOADED, '1');
        location.reload();
      };
      if (navigator.serviceWorker.controller) return reload(); // controlled, yet not isolated: reload once
      const sw = reg.installing ?? reg.waiting ?? reg.active;
      if (sw?.state === 'activated') return reload();
      sw?.addEventListener('statechange', () => sw.state === 'activated' && reload());
    })
    .catch(() => {
      // Not allowed here (e.g. a private window): the page runs single-threaded.
    });
}
