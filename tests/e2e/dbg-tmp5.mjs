import { chromium } from 'playwright-core';
const { preview } = await import('/work/main/node_modules/vite/dist/node/index.js');
const server = await preview({ configFile: '/work/main/vite.config.ts', logLevel: 'warn', preview: { host: '127.0.0.1', port: 4499, strictPort: true } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
await page.goto('http://127.0.0.1:4499/' + (process.argv[2] || '?compare=gd:0.1,gd:0.0667&widths=20,20&speed=0&steps=0'));
await page.waitForTimeout(3000);
const client = await page.context().newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.setSamplingInterval', { interval: 500 });
await client.send('Profiler.start');
await page.waitForTimeout(6000);
const { profile } = await client.send('Profiler.stop');
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = id => { const n = byId.get(id); return `${n.callFrame.functionName || '(anon)'}:${n.callFrame.columnNumber}`; };
// stretches of non-idle samples
let t = profile.startTime, best = [], cur = [];
profile.samples.forEach((id, i) => { t += profile.timeDeltas[i]; const nm = byId.get(id).callFrame.functionName; if (nm === '(idle)') { if (cur.length && (cur.at(-1).t - cur[0].t) > (best.length ? best.at(-1).t - best[0].t : 0)) best = cur; cur = []; } else cur.push({ t, id }); });
console.log('longest busy stretch ms', ((best.at(-1).t - best[0].t)/1000).toFixed(1), 'samples', best.length);
// root-most JS frames in that stretch (stack tops under root)
const agg = new Map();
for (const s of best) { let id = s.id; const stack = []; while (id !== undefined) { stack.push(name(id)); id = parent.get(id); } const key = stack.reverse().slice(1, 6).join(' > '); agg.set(key, (agg.get(key) || 0) + 1); }
for (const [k, v] of [...agg.entries()].sort((a,b)=>b[1]-a[1]).slice(0, 15)) console.log(v, k);
await browser.close(); server.httpServer.close();
