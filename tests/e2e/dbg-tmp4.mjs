import { chromium } from 'playwright-core';
const { preview } = await import('/work/main/node_modules/vite/dist/node/index.js');
const server = await preview({ configFile: '/work/main/vite.config.ts', logLevel: 'warn', build: {minify: false}, preview: { host: '127.0.0.1', port: 4499, strictPort: true } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
page.on('console', m => console.log('console', m.type(), m.text()));
await page.goto('http://127.0.0.1:4499/' + (process.argv[2] || '?compare=gd:0.1,gd:0.0667&widths=20,20&speed=0&steps=0'));
await page.waitForTimeout(3000);
const client = await page.context().newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.setSamplingInterval', { interval: 1000 });
await client.send('Profiler.start');
await page.waitForTimeout(6000);
const { profile } = await client.send('Profiler.stop');
const self = new Map();
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (dt[i] || 0)));
for (const n of profile.nodes) {
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) || 0) + (counts.get(n.id) || 0));
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
for (const [k, v] of top) console.log((v / 1000).toFixed(0).padStart(6), 'ms', k);
console.log(await page.evaluate(() => JSON.stringify(window.__eos.status())));
await browser.close(); server.httpServer.close();
