import { chromium } from 'playwright-core';
const { preview } = await import('/work/main/node_modules/vite/dist/node/index.js');
const server = await preview({ configFile: '/work/main/vite.config.ts', logLevel: 'warn', preview: { host: '127.0.0.1', port: 4499, strictPort: true } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('request', r => console.log('req', ((Date.now()-t0)/1000).toFixed(2), r.url().slice(-40)));
const t0 = Date.now();
await page.goto('http://127.0.0.1:4499/' + (process.argv[2] || ''));
console.log('goto done', (Date.now()-t0)/1000);
for (let i = 0; i < 40; i++) {
  const s = await page.evaluate(() => window.__eos?.runs().map(r => `${r.phase}:${r.records.rows}`).join(' '));
  console.log(((Date.now() - t0) / 1000).toFixed(2), s);
  await page.waitForTimeout(100);
}
await browser.close(); server.httpServer.close();
