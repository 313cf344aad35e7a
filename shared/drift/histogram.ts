/**
 * What a report keeps beside a feature's score, for a person to see the shift: both windows'
 * shares over the same bins. Numeric features use PSI's bins (the reference's deciles, so each
 * holds a tenth of the reference; `edges` are the nine inner edges, bin k being
 * (edges[k-1], edges[k]]), with both windows' lowest and highest values for the outer bins'
 * far ends. Categorical features keep the categories most frequent over both windows and the
 * rest as one share, so a report stays small whatever the cardinality. The shape: report.ts.
 */
import { summaryBins, type QuantileSummary } from './quantile-summary.js';
import type { Histogram } from './report.js';
import { binProportions, psiBinEdges } from './statistics.js';

export const histogramBins = 10;
export const histogramCategories = 20;

/** Both windows over the reference's decile bins; `reference` is the sorted values or, for a profile too large to keep them, its summary. */
export function numericHistogram(reference: Float64Array | QuantileSummary, currentSorted: Float64Array): Histogram {
  const bins = reference instanceof Float64Array ? { edges: psiBinEdges(reference, histogramBins), shares: undefined } : summaryBins(reference, histogramBins);
  const referenceShares = bins.shares ?? binProportions(reference as Float64Array, bins.edges);
  // A summary's first and last quantiles are its minimum and maximum, as sorted values' ends are.
  const referenceValues = reference instanceof Float64Array ? reference : reference.quantiles;
  return {
    kind: 'bins',
    edges: [...bins.edges],
    min: Math.min(currentSorted[0] as number, referenceValues[0] as number),
    max: Math.max(currentSorted[currentSorted.length - 1] as number, referenceValues[referenceValues.length - 1] as number),
    reference: [...referenceShares],
    current: [...binProportions(currentSorted, bins.edges)],
  };
}

/** Shares of the categories most frequent over both windows (ties by name), the rest summed as `other`. */
export function categoricalHistogram(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): Histogram {
  const total = (counts: ReadonlyMap<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0) || 1;
  const referenceTotal = total(reference);
  const currentTotal = total(current);
  const share = (name: string) => (reference.get(name) ?? 0) / referenceTotal + (current.get(name) ?? 0) / currentTotal;
  const names = [...new Set([...reference.keys(), ...current.keys()])].sort((a, b) => share(b) - share(a) || (a < b ? -1 : a > b ? 1 : 0));
  const kept = names.slice(0, histogramCategories);
  const referenceShares = kept.map((name) => (reference.get(name) ?? 0) / referenceTotal);
  const currentShares = kept.map((name) => (current.get(name) ?? 0) / currentTotal);
  const rest = (shares: number[]) => Math.max(0, 1 - shares.reduce((a, b) => a + b, 0));
  return {
    kind: 'categories',
    categories: kept,
    other: { reference: names.length > kept.length ? rest(referenceShares) : 0, current: names.length > kept.length ? rest(currentShares) : 0 },
    reference: referenceShares,
    current: currentShares,
  };
}
