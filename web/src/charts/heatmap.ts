// The pure drawing helpers of the data chart (charts/data.ts): the class palette, colour
// parsing, the curve's x positions, and the heatmap painter, which writes one pixel per grid
// cell into an ImageData that the chart then draws scaled into its plot area, so a redraw
// costs one putImageData and one drawImage, not a rectangle per cell.

import type { DatasetView } from '../engine/protocol';

export type RGB = [number, number, number];

/** Class colours (orange and blue first, as TensorFlow Playground), readable on light and dark. */
export const CLASS_COLORS = ['#e8590c', '#1c7ed6', '#2f9e44', '#c2255c', '#7950f2', '#0c8599', '#b08800', '#868e96', '#d6336c', '#5c940d'];

/** '#rgb', '#rrggbb' or 'rgb(a)(…)' → [r, g, b]; null when unreadable. */
export function parseColor(c: string): RGB | null {
  const s = c.trim();
  let m = /^#([0-9a-f]{6})$/i.exec(s);
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as RGB;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

/** The writable part of an ImageData (a plain object in unit tests). */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Paints one pixel per cell (cell r*nx + c is pixel (c, r), row 0 at the top). Classification:
 * the hue of the arg-max class, mixed into the background by 0.08 + 0.47 tanh(2 × the margin
 * between the two largest outputs), so the boundary shows as a pale band and the points (in
 * full colour) stand out. Regression: output 0, orange below zero and blue above, by 0.55 tanh|f|.
 */
export function paintHeatmap(px: Pixels, values: Float32Array, dOut: number, classification: boolean, bg: RGB, colors: readonly RGB[]): void {
  const d = px.data;
  const cells = Math.min(px.width * px.height, Math.floor(values.length / dOut));
  for (let i = 0; i < cells; i++) {
    const o = i * dOut;
    let col: RGB;
    let a: number;
    if (classification && dOut > 1) {
      let top = 0;
      for (let k = 1; k < dOut; k++) if (values[o + k] > values[o + top]) top = k;
      let second = -Infinity;
      for (let k = 0; k < dOut; k++) if (k !== top && values[o + k] > second) second = values[o + k];
      col = colors[top % colors.length];
      a = 0.08 + 0.47 * Math.tanh(2 * (values[o + top] - second));
    } else {
      const v = values[o];
      col = colors[v >= 0 ? 1 : 0];
      a = 0.55 * Math.tanh(Math.abs(v));
    }
    if (!Number.isFinite(a)) a = 0;
    const p = 4 * i;
    d[p] = bg[0] + (col[0] - bg[0]) * a;
    d[p + 1] = bg[1] + (col[1] - bg[1]) * a;
    d[p + 2] = bg[2] + (col[2] - bg[2]) * a;
    d[p + 3] = 255;
  }
}

/** x of curve point c (the engine's definition: evenly spaced, both ends included). */
export function curveX(v: DatasetView, c: number): number {
  return v.x0 + ((v.x1 - v.x0) * c) / Math.max(1, v.nx - 1);
}

