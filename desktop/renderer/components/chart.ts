import { svg } from '../dom.ts';

/**
 * Simple inline SVG charts (no library): bars for counts per bucket, a line for a 0–1 rate. The frame is
 * `width × height` user units scaled to the container by CSS; axis labels are the caller's.
 */
const W = 600;
const H = 200;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };

function frame(label: string, testId: string, yMax: string, xFrom: string, xTo: string): SVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label, 'data-testid': testId });
  root.append(
    svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis' }),
    svg('text', { x: PAD.left - 6, y: PAD.top + 12, 'text-anchor': 'end', class: 'tick' }, yMax),
    svg('text', { x: PAD.left - 6, y: H - PAD.bottom, 'text-anchor': 'end', class: 'tick' }, '0'),
    svg('text', { x: PAD.left, y: H - 6, class: 'tick' }, xFrom),
    svg('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'tick' }, xTo),
  );
  return root;
}

export function barChart(label: string, testId: string, values: readonly number[], xFrom: string, xTo: string): SVGElement {
  const max = Math.max(1, ...values);
  const root = frame(label, testId, String(max), xFrom, xTo);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = values.length > 0 ? plotW / values.length : plotW;
  values.forEach((v, i) => {
    const hgt = (v / max) * plotH;
    root.append(svg('rect', { x: PAD.left + i * step + step * 0.1, y: H - PAD.bottom - hgt, width: Math.max(1, step * 0.8), height: hgt, class: 'bar-rect' }));
  });
  return root;
}

export function rateChart(label: string, testId: string, values: readonly (number | null)[], xFrom: string, xTo: string): SVGElement {
  const root = frame(label, testId, '100%', xFrom, xTo);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = values.length > 1 ? plotW / (values.length - 1) : plotW;
  let d = '';
  values.forEach((v, i) => {
    if (v === null) return;
    const x = PAD.left + i * step;
    const y = H - PAD.bottom - v * plotH;
    d += `${d === '' ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)} `;
    root.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 3, class: 'rate-dot' }));
  });
  if (d !== '') root.append(svg('path', { d: d.trim(), class: 'rate-line' }));
  return root;
}
