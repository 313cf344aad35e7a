import { h } from './dom.js';
import { svg } from './svg.js';

/** A drift report's histogram of one feature (shared/drift/report.ts). */
export type Histogram =
  | { kind: 'bins'; edges: number[]; min: number; max: number; reference: number[]; current: number[] }
  | { kind: 'categories'; categories: string[]; other: { reference: number; current: number }; reference: number[]; current: number[] };

const width = 360;
const height = 110;
const number = (x: number) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-2) ? x.toExponential(1) : String(Number(x.toPrecision(3))));

/** Each bin's name: its range for numeric bins (the reference's deciles), the category otherwise. */
function binNames(histogram: Histogram): string[] {
  if (histogram.kind === 'categories') return [...histogram.categories, ...(histogram.other.reference || histogram.other.current ? ['(other)'] : [])];
  const bounds = [histogram.min, ...histogram.edges, histogram.max];
  return histogram.reference.map((_, k) => `${k === 0 ? '≤' : `${number(bounds[k] as number)} –`} ${number(bounds[k + 1] as number)}`);
}

/**
 * Reference (grey) and current (blue) shares side by side per bin, as SVG bars on one scale.
 * Each bar carries data-window and data-share and a tooltip naming its bin, for people and tests.
 */
export function histogramChart(feature: string, histogram: Histogram): HTMLElement {
  const names = binNames(histogram);
  const reference = histogram.kind === 'categories' && names.length > histogram.categories.length ? [...histogram.reference, histogram.other.reference] : histogram.reference;
  const current = histogram.kind === 'categories' && names.length > histogram.categories.length ? [...histogram.current, histogram.other.current] : histogram.current;
  const top = Math.max(...reference, ...current, 1e-9);
  const slot = width / names.length;
  const root = svg('svg', { class: 'histogram', width, height: height + 16, role: 'img', 'aria-label': `${feature}: reference and current shares per bin` });
  names.forEach((name, k) => {
    for (const [i, window, shares] of [[0, 'reference', reference], [1, 'current', current]] as const) {
      const share = shares[k] ?? 0;
      const barHeight = Math.max(share > 0 ? 1 : 0, (share / top) * height);
      const bar = svg('rect', { x: k * slot + 2 + (i * (slot - 4)) / 2, y: height - barHeight, width: Math.max(1, (slot - 4) / 2), height: barHeight, class: window, 'data-window': window, 'data-bin': k, 'data-share': share.toFixed(3) });
      bar.append(svg('title', {}));
      (bar.firstChild as SVGTitleElement).textContent = `${name}: ${window} ${(share * 100).toFixed(1)}%`;
      root.append(bar);
    }
  });
  const axis = svg('text', { x: 0, y: height + 13, class: 'axis' });
  axis.textContent = histogram.kind === 'bins' ? `${number(histogram.min)} … ${number(histogram.max)} (bins: the reference's deciles)` : names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : '');
  root.append(axis);
  return h('figure', { class: 'histogram', 'data-histogram': feature }, h('figcaption', {}, feature, ' ', h('span', { class: 'legend reference' }, 'reference'), ' ', h('span', { class: 'legend current' }, 'current')), root);
}
