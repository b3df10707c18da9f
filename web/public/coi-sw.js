// Cross-origin isolation for static hosts that cannot send headers (GitHub Pages): this
// service worker re-serves the site's own files with Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy, so that after one reload the page has SharedArrayBuffer and
// the engine runs its threaded module. Registered by the full page (src/coi.ts); requests
// to other origins pass through untouched. Where the server sends the headers itself
// (`npm start`) nothing is registered.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (new URL(req.url).origin !== self.location.origin) return;
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  event.respondWith(
    fetch(req).then((res) => {
      if (res.status === 0) return res; // opaque: nothing to add
      const headers = new Headers(res.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }),
  );
});
