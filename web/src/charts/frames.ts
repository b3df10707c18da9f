// The page's frame ledger: every Chart.js chart of a page (the charts of several <eos-lab>
// figures in view) draws from requestAnimationFrame, and the browser runs all of a frame's
// callbacks in one task, so their work would add up into one long frame. With the ledger
// they take turns: a share of each frame, and at most one new chart per frame.

/** Drawing time (ms, wall clock) the charts of a page share in one frame. */
const FRAME_SHARE_MS = 10;
/** A board or chart that waited this many frames in a row goes ahead whatever the others spent. */
const MAX_WAIT_FRAMES = 3;
let ledgerFrame = -1;
let ledgerStart = 0;
let ledgerMade = false;

/** Opens the ledger of the frame at time `t`; true if this is the frame's first work. */
function ledger(t: number): boolean {
  if (t === ledgerFrame) return false;
  ledgerFrame = t;
  ledgerStart = performance.now();
  ledgerMade = false;
  return true;
}

/** Whether a board may draw in the frame at time `t`: the first of a frame always may, the next ones while the share lasts. */
export function frameTurn(t: number, waited: number): boolean {
  if (ledger(t)) return true;
  return waited >= MAX_WAIT_FRAMES || performance.now() - ledgerStart < FRAME_SHARE_MS;
}

/**
 * Whether a new Chart.js chart (its first layout costs about 20 ms of CPU) may be made in the
 * frame at time `t`: one per frame on the page, and only as the frame's first work (or after
 * waiting MAX_WAIT_FRAMES frames).
 */
export function claimChartFrame(t: number, waited = 0): boolean {
  ledger(t);
  if (ledgerMade) return false;
  if (performance.now() - ledgerStart > 2 && waited < MAX_WAIT_FRAMES) return false;
  ledgerMade = true;
  return true;
}

/**
 * Calls make() in the first frame in which claimChartFrame lets a new chart be made (the
 * figures that make their Chart.js charts themselves, outside a board). Returns a function
 * that cancels a make() not yet done.
 */
export function onChartFrame(make: () => void): () => void {
  let raf = 0;
  let waited = 0;
  const tick = (t: number) => {
    raf = 0;
    if (!claimChartFrame(t, waited++)) {
      raf = requestAnimationFrame(tick);
      return;
    }
    make();
  };
  raf = requestAnimationFrame(tick);
  return () => {
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
  };
}
