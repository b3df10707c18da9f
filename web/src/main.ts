// Entry point of the full page: reads the state from the URL (reporting bad values),
// mounts the app into #app, keeps the URL in sync, and exposes a read-only test hook
// (window.__eos) so browser tests read the runs' data, not pixels.

import './style.css';
import { createEngineWorker } from './engine-worker';
import { parseQuery, toQuery } from './state/schema';
import { mountApp, type AppHandle } from './ui/app';
import { addShareButton } from './ui/share';

declare global {
  interface Window {
    __eos?: {
      runs: AppHandle['runs'];
      state: AppHandle['state'];
      messages: AppHandle['messages'];
      setLr: AppHandle['setLr'];
      select: AppHandle['select'];
      playing: () => boolean;
      /** Chart draw timings since load (ms); reset() zeroes them. */
      drawStats: () => { draws: number; totalMs: number; maxMs: number; reset(): void };
      /** Cheap per-run progress (for polling): no record arrays. */
      status: () => { id: number; phase: string; rows: number; step: number; lr: number; sharpness: number; threshold: number }[];
    };
  }
}

const root = document.getElementById('app');
if (root) {
  const { state, messages } = parseQuery(location.search);
  const app = mountApp(root, {
    initial: state,
    messages,
    createWorker: createEngineWorker,
    onStateChange: (s) => {
      const q = toQuery(s);
      history.replaceState(history.state, '', q ? `?${q}` : location.pathname);
    },
  });
  addShareButton(root, app.state); // "Share / embed" dialog (issue 6)
  window.__eos = {
    runs: app.runs,
    state: app.state,
    messages: app.messages,
    setLr: app.setLr,
    select: app.select,
    playing: () => app.manager.playing,
    drawStats: () => ({
      ...app.charts.stats,
      reset: () => Object.assign(app.charts.stats, { draws: 0, totalMs: 0, maxMs: 0 }),
    }),
    status: () =>
      app.manager.runs.map((r) => ({
        id: r.id,
        phase: r.phase,
        rows: r.records.rows,
        step: r.records.rows ? r.records.last('step') : -1,
        lr: r.lr,
        sharpness: r.records.lastSharpness(),
        threshold: r.records.last('threshold'),
      })),
  };
}
