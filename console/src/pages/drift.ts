import { ApiError, enc, getJson } from '../api.js';
import { lineChart } from '../chart.js';
import { histogramChart, type Histogram } from '../histogram.js';
import { append, badge, h, table, when } from '../dom.js';
import type { Page } from '../page.js';
import type { Registry } from './features.js';

interface FeatureDrift {
  test: string;
  score: number | null;
  threshold: number | null;
  drifted: boolean;
  reason?: string;
  histogram?: Histogram;
}

interface DriftReport {
  view: string;
  ranAt: string;
  reference: { start: string; end: string } | { profile: string };
  current: { start: string; end: string };
  label?: string;
  drifted: boolean;
  features: Record<string, FeatureDrift>;
  quality: { rows: { reference: number; current: number; change: number | null; changeOf?: string }; features: Record<string, { nullRate: { reference: number; current: number }; outOfRange?: number; newCategories?: string[] }> };
}

/** The latest reports of a view, or undefined when it has none yet. */
async function reportsOf(view: string): Promise<{ latest: DriftReport; history: DriftReport[] } | undefined> {
  try {
    return await getJson<{ latest: DriftReport; history: DriftReport[] }>(`drift/${enc(view)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

const verdict = (drifted: boolean) => badge(drifted ? 'drifted' : 'stable');

/** #/drift: each feature view's latest drift verdict. */
export const driftPage: Page = async ({ main }) => {
  const registry = await getJson<Registry>('features/registry');
  const views = registry.featureViews.slice(0, 50);
  const reports = await Promise.all(views.map((view) => reportsOf(view.name)));
  main.replaceChildren(
    h('h1', {}, 'Drift reports'),
    table(
      ['View', 'Latest report', 'Verdict', 'Drifted features'],
      views.map((view, i) => {
        const latest = reports[i]?.latest;
        if (!latest) return [view.name, 'none', '', ''];
        const drifted = Object.entries(latest.features).filter(([, f]) => f.drifted).map(([name]) => name);
        return [h('a', { href: `#/drift/${enc(view.name)}`, class: 'drift-link' }, view.name), when(latest.ranAt), verdict(latest.drifted), drifted.join(', ')];
      }),
      { id: 'drift-views' },
    ),
  );
};

/**
 * Tests whose score is a p-value: they flag drift when the score falls below the threshold;
 * the others are distances, flagged above it (as pValueTests in shared/drift/evaluate.ts).
 */
const pValueTests = new Set(['ks', 'chi_square', 'proportions']);

/** The score against its threshold, in words and as a bar of how far toward drift it is: red once past. */
function scoreBar(feature: FeatureDrift): HTMLElement {
  if (feature.score === null || feature.threshold === null || feature.threshold === 0) return h('span', {}, '');
  const below = pValueTests.has(feature.test);
  const ratio = below ? (feature.score === 0 ? Infinity : feature.threshold / feature.score) : feature.score / feature.threshold;
  const words = below
    ? `p ${feature.score.toPrecision(2)} ${feature.score < feature.threshold ? '<' : '≥'} ${feature.threshold} (drift below)`
    : `${feature.score.toPrecision(3)} ${feature.score > feature.threshold ? '>' : '≤'} ${feature.threshold} (drift above)`;
  return h('span', { class: 'score' }, h('span', { class: `bar${feature.drifted ? ' over' : ''}`, style: `width:${Math.max(1, Math.min(150, Math.round(ratio * 75)))}px` }), ` ${words}`);
}

const palette = ['#3b82f6', '#d93b3b', '#22a06b', '#e8a23a', '#8b5cf6', '#0ea5e9', '#5a6272'];

/** #/drift/<view>: the latest report, per feature score against threshold, and scores over past reports. */
export const driftViewPage: Page = async ({ main }, [view = '']) => {
  const reports = await reportsOf(view);
  main.replaceChildren(h('p', { class: 'crumbs' }, h('a', { href: '#/drift' }, 'Drift reports'), ' / ', view), h('h1', {}, `Drift of ${view}`));
  if (!reports) {
    main.append(h('p', {}, 'No drift report for this view yet.'));
    return;
  }
  const { latest, history } = reports;
  const reference = 'profile' in latest.reference ? `profile ${latest.reference.profile}` : `${when(latest.reference.start)} – ${when(latest.reference.end)}`;
  const names = Object.keys(latest.features);
  const ordered = [...history].reverse();
  append(main, [
    h('p', {}, verdict(latest.drifted), ` ran ${when(latest.ranAt)} · reference ${reference} · current ${when(latest.current.start)} – ${when(latest.current.end)}`, latest.label ? ` · label ${latest.label}` : ''),
    table(
      ['Feature', 'Test', 'Score', 'Threshold', 'Score against threshold', 'Verdict', 'Null rate (ref → now)', 'Out of range', 'Reason'],
      names.map((name) => {
        const f = latest.features[name] as FeatureDrift;
        const q = latest.quality.features[name];
        return [name, f.test, f.score?.toFixed(4) ?? '', f.threshold?.toFixed(4) ?? '', scoreBar(f), verdict(f.drifted), q ? `${(q.nullRate.reference * 100).toFixed(1)}% → ${(q.nullRate.current * 100).toFixed(1)}%` : '', q?.outOfRange ?? '', f.reason ?? ''];
      }),
      { id: 'drift-features' },
    ),
    h('p', { class: 'rows' }, `Rows: ${latest.quality.rows.reference} in the reference, ${latest.quality.rows.current} now`, latest.quality.rows.change === null ? '' : ` (${latest.quality.rows.changeOf === 'rows_per_day' ? 'rows per day' : 'rows'} ${latest.quality.rows.change >= 0 ? '+' : ''}${(latest.quality.rows.change * 100).toFixed(1)}%)`),
    h('h2', {}, 'Reference and current, per feature'),
    h('div', { id: 'drift-histograms' }, ...names.flatMap((name) => {
      const histogram = latest.features[name]?.histogram;
      return histogram ? [histogramChart(name, histogram)] : [];
    })),
    lineChart(
      'Score over the last reports',
      ordered.map((report) => Date.parse(report.ranAt) / 1000),
      names.map((name, i) => ({ label: name, values: ordered.map((report) => report.features[name]?.score ?? null), colour: palette[i % palette.length] as string })),
      'drift-scores',
      640,
    ),
  ]);
};
