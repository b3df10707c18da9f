// Entry point of the full page: reads the state from the URL (reporting bad values),
// mounts the app into #app, keeps the URL in sync, and exposes a small test hook
// (window.__eos) so browser tests read the runs' data, not pixels.

import './style.css';
import { requestIsolation } from './coi';
import { createEngineWorker } from './engine-worker';
import { type ThreadStats, threadStats, withThreadBudget } from './engine/threads';
import { parseQuery, toQuery } from './state/url';
import { type AppHandle, mountApp } from './ui/app';
import { addShareButton } from './ui/share';

/** What browser tests may read and do, and nothing else of the app. */
export type TestHook = Pick<
  AppHandle,
  'runs' | 'status' | 'state' | 'messages' | 'setLr' | 'select' | 'playing' | 'drawStats' | 'play' | 'pause' | 'reset' | 'sweep' | 'guides'
  | 'dataChart' | 'drawData' | 'chartSets'
>;

declare global {
  interface Window {
    __eos?: TestHook;
    /** Saved runs loaded back (the reload round-trip test reads their records). */
    __eosSaved?: AppHandle['saved'];
    /** The engine's threads on this page (engine/threads.ts): isolation, budget, threads in use. */
    __eosThreads?: ThreadStats;
  }
}

requestIsolation(); // static hosts: a service worker adds COOP/COEP (threads), after one reload
const root = document.getElementById('app');
if (root) {
  const { state, messages } = parseQuery(location.search);
  const app = mountApp(root, {
    initial: state,
    messages,
    createWorker: withThreadBudget(createEngineWorker),
    onStateChange: (s) => {
      const q = toQuery(s);
      history.replaceState(history.state, '', q ? `?${q}` : location.pathname);
    },
  });
  addShareButton(root, app.state); // "Share / embed" dialog
  const { runs, status, state: current, messages: texts, setLr, select, playing, drawStats, play, pause, reset, sweep, guides } = app;
  window.__eosSaved = app.saved;
  const { chartSets } = app;
  window.__eos = { runs, status, state: current, messages: texts, setLr, select, playing, drawStats, play, pause, reset, sweep, guides, dataChart: app.dataChart, drawData: app.drawData, chartSets };
  window.__eosThreads = threadStats;
}
