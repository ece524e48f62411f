// Small charts as inline SVG built with DOM APIs: time on x, one or more series on y, axis ticks and a legend.
// Styling is in inspector.css (classes), as the page's policy forbids inline styles.
import { h, s } from './dom.js';

const W = 640;
const H = 220;
const M = { left: 52, right: 12, top: 26, bottom: 30 };

function ticks(min, max, count) {
  if (max <= min) return [min];
  const step = (max - min) / count;
  return Array.from({ length: count + 1 }, (_, i) => min + i * step);
}

const shortNumber = (v) => (Math.abs(v) >= 100 ? Math.round(v).toString() : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function shortTime(ms, span) {
  const d = new Date(ms);
  const iso = d.toISOString();
  if (span > 2 * 86400000) return iso.slice(0, 10);
  return iso.slice(11, 16) + (span > 86400000 ? ' ' + iso.slice(5, 10) : '');
}

/**
 * A chart. series: [{ name, cls, kind: 'line' | 'bar', points: [{ x: ms, y, x2?: ms }] }].
 * Returns a <figure> with the SVG, its legend and a caption.
 */
export function chart({ title, series, yLabel, empty = 'No data yet.' }) {
  const all = series.flatMap((x) => x.points);
  const figure = h('figure', { class: 'chart' }, h('figcaption', null, title));
  if (all.length === 0) {
    figure.append(h('p', { class: 'muted chart-empty' }, empty));
    return figure;
  }
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x2 ?? p.x));
  const yMax = Math.max(1e-9, ...all.map((p) => p.y)) * 1.1;
  const sx = (x) => M.left + (xMax === xMin ? (W - M.left - M.right) / 2 : ((x - xMin) / (xMax - xMin)) * (W - M.left - M.right));
  const sy = (y) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  for (const t of ticks(0, yMax, 4)) {
    svg.append(s('line', { x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t), class: 'grid' }));
    svg.append(s('text', { x: M.left - 6, y: sy(t) + 4, class: 'tick y' }, shortNumber(t)));
  }
  const xTicks = ticks(xMin, xMax, 4);
  xTicks.forEach((t, i) => {
    const edge = xTicks.length > 1 && i === 0 ? ' first' : xTicks.length > 1 && i === xTicks.length - 1 ? ' last' : '';
    svg.append(s('text', { x: sx(t), y: H - 10, class: 'tick x' + edge }, shortTime(t, xMax - xMin)));
  });
  svg.append(s('text', { x: 4, y: 12, class: 'axis-label' }, yLabel || ''));
  for (const serie of series) {
    const g = s('g', { class: 'series ' + (serie.cls || ''), 'data-series': serie.name });
    if (serie.kind === 'bar') {
      for (const p of serie.points) {
        const x1 = sx(p.x);
        const x2 = sx(p.x2 ?? p.x);
        const width = Math.max(1, x2 - x1 - 1);
        g.append(s('rect', { x: x1, y: sy(p.y), width, height: Math.max(0, H - M.bottom - sy(p.y)), class: 'bar' },
          s('title', null, `${serie.name}: ${p.y} (${new Date(p.x).toISOString()})`)));
      }
    } else {
      const pts = serie.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      g.append(s('polyline', { points: pts, class: 'line' }));
      for (const p of serie.points) {
        g.append(s('circle', { cx: sx(p.x), cy: sy(p.y), r: 2.5, class: 'dot' },
          s('title', null, `${serie.name}: ${shortNumber(p.y)} (${new Date(p.x).toISOString()})`)));
      }
    }
    svg.append(g);
  }
  figure.append(svg, h('div', { class: 'legend' }, series.map((x) => h('span', { class: 'key ' + (x.cls || '') }, x.name))));
  return figure;
}
