import { chromium } from 'playwright-core';
const { preview } = await import('/work/main/node_modules/vite/dist/node/index.js');
const server = await preview({ configFile: '/work/main/vite.config.ts', logLevel: 'warn', preview: { host: '127.0.0.1', port: 4499, strictPort: true } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
const t0 = Date.now();
await page.goto('http://127.0.0.1:4499/' + (process.argv[2] || ''));
for (let i = 0; i < (Number(process.argv[3]) || 10); i++) {
  await page.waitForTimeout(500);
  const s = await page.evaluate(() => window.__eos?.runs().map(r => ({ phase: r.phase, rows: r.records.rows, lr: r.lr, err: r.error, div: r.divergedAt, lastLoss: r.records.loss.at(-1), s: r.records.eig.values.at(-1)?.[0] })));
  console.log(((Date.now() - t0) / 1000).toFixed(1), JSON.stringify(s));
}
await browser.close(); server.httpServer.close();
