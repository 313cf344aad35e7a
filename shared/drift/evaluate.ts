import { isComplete, kolmogorovSmirnovAgainstSummary, psiAgainstSummary, shareAt, summaryStandardDeviation, wassersteinAgainstSummary, type QuantileSummary } from './quantile-summary.js';
import type { DriftEvaluation, FeatureDrift, FeatureQuality, RowQuality } from './report.js';
import type { TestName } from './requests.js';
import type { FeatureSample, WindowSample } from './samples.js';
import { categoricalHistogram, numericHistogram } from './histogram.js';
import { categoricalPsi, chiSquare, jensenShannon, kolmogorovSmirnov, normedByDeviation, proportionsTest, psi, standardDeviation, wasserstein } from './statistics.js';

/**
 * p-value tests drift when the score falls below the threshold; distances when it rises above.
 * Defaults, chosen from the detection-power study (docs/drift-study.md, `npm run drift:study`):
 * with at least `largeSample` values on both sides, p-values flag differences too small to
 * matter, so distances decide: Wasserstein normed by the reference's standard deviation for
 * numbers (Evidently's default; PSI at 0.2 missed amounts x1.6 at every size), Jensen-Shannon
 * for categories. Below it, the tests that account for sample size decide (Kolmogorov-Smirnov,
 * chi-square). Raw Wasserstein is in the feature's units, so it has no default threshold: a
 * request that picks it gives one.
 */
export const pValueTests: ReadonlySet<TestName> = new Set(['ks', 'chi_square', 'proportions']);
export const defaultThresholds: Record<Exclude<TestName, 'wasserstein'>, number> = {
  psi: 0.2,
  ks: 0.05,
  wasserstein_normed: 0.1,
  chi_square: 0.05,
  jensen_shannon: 0.1,
  proportions: 0.01,
};
export const largeSample = 1_000;

/**
 * A reference feature. A profile's numeric feature with many distinct values is `summarized`:
 * `sorted` then holds only its quantiles, and every test works from `summary`, which knows the
 * true count (quantile-summary.ts).
 */
export type ReferenceFeature = FeatureSample & { summary?: QuantileSummary };

/** A reference window, or a stored profile read back (profileSample). */
export interface ReferenceSample {
  rows: number;
  features: Record<string, ReferenceFeature>;
}

export interface EvaluationOptions {
  label?: string | undefined;
  tests?: Record<string, { test?: TestName | undefined; threshold?: number | undefined }> | undefined;
  /** Length of each window in days; a profile from a training set has none. */
  days?: { reference?: number | undefined; current?: number | undefined } | undefined;
}

export function evaluateDrift(reference: ReferenceSample, current: WindowSample, options: EvaluationOptions = {}): DriftEvaluation {
  const features: Record<string, FeatureDrift> = {};
  const quality: DriftEvaluation['quality'] = { rows: rowQuality(reference.rows, current.rows, options.days), features: {} };
  for (const [name, now] of Object.entries(current.features)) {
    const before = reference.features[name];
    if (!before) continue;
    quality.features[name] = featureQuality(before, now);
    features[name] = name === options.label ? labelDrift(before, now, options.tests?.[name]) : featureDrift(before, now, options.tests?.[name]);
  }
  return { drifted: Object.values(features).some((f) => f.drifted), features, quality };
}

/** The values a feature sample stands for: a profile's true count, not the length of its quantiles. */
function size(sample: ReferenceFeature): number {
  if (sample.kind === 'categorical') return [...(sample.counts?.values() ?? [])].reduce((a, b) => a + b, 0);
  return sample.summary?.count ?? sample.sorted?.length ?? 0;
}

/** The summary when the reference is a profile that could not keep every value; undefined when the values themselves are at hand. */
function partialSummary(sample: ReferenceFeature): QuantileSummary | undefined {
  if (!sample.summarized) return undefined;
  if (!sample.summary || isComplete(sample.summary)) throw new Error('a summarized feature sample must carry a summary of more values than its quantiles');
  return sample.summary;
}

/**
 * Row counts and their change. Windows of different lengths (14 days against 7) compare rows
 * per day, so equal daily volumes give 0; without a length for one side (a profile of a
 * training set) the change is of raw counts, and `changeOf` says which.
 */
export function rowQuality(reference: number, current: number, days: EvaluationOptions['days']): RowQuality {
  const referenceDays = days?.reference;
  const currentDays = days?.current;
  if (referenceDays && currentDays) {
    const perDay = { reference: reference / referenceDays, current: current / currentDays };
    return {
      reference,
      current,
      change: perDay.reference ? (perDay.current - perDay.reference) / perDay.reference : null,
      changeOf: 'rows_per_day',
      days: { reference: referenceDays, current: currentDays },
      perDay,
    };
  }
  return {
    reference,
    current,
    change: reference ? (current - reference) / reference : null,
    changeOf: 'rows',
    days: { reference: referenceDays ?? null, current: currentDays ?? null },
  };
}

function decide(test: TestName, score: number, threshold: number | undefined, statistics: Record<string, number>): FeatureDrift {
  const limit = threshold ?? (test === 'wasserstein' ? undefined : defaultThresholds[test]);
  // run.ts refuses a raw Wasserstein without a threshold; this guards direct callers.
  if (limit === undefined) throw new RangeError('wasserstein is in the feature\'s units and has no default threshold: give one, or use wasserstein_normed');
  const drifted = pValueTests.has(test) ? score < limit : score > limit;
  // A constant reference has no scale: any change of value is infinitely many of its deviations.
  const reason = score === Infinity ? 'the reference is constant (standard deviation 0): any other value is drift' : undefined;
  return { test, score, threshold: limit, drifted, statistics, ...(reason ? { reason } : {}) };
}

function featureDrift(reference: ReferenceFeature, current: FeatureSample, override: { test?: TestName | undefined; threshold?: number | undefined } | undefined): FeatureDrift {
  const sizes = [size(reference), size(current)];
  if (sizes.some((n) => n === 0)) return { test: 'none', score: null, threshold: null, drifted: false, statistics: {}, reason: 'no values in one of the windows' };
  const large = sizes.every((n) => n >= largeSample);
  if (reference.kind === 'numeric') {
    const a = reference.sorted as Float64Array;
    const b = current.sorted as Float64Array;
    const summary = partialSummary(reference);
    const ks = summary ? kolmogorovSmirnovAgainstSummary(summary, b) : kolmogorovSmirnov(a, b);
    const distance = summary ? wassersteinAgainstSummary(summary, b) : wasserstein(a, b);
    const deviation = summary ? summaryStandardDeviation(summary) : standardDeviation(a);
    const statistics = {
      psi: summary ? psiAgainstSummary(summary, b) : psi(a, b),
      ks: ks.statistic,
      ks_p_value: ks.pValue,
      wasserstein: distance,
      wasserstein_normed: normedByDeviation(distance, deviation),
      reference_sd: deviation,
    };
    const test = override?.test ?? (large ? 'wasserstein_normed' : 'ks');
    const score = test === 'ks' ? ks.pValue : test === 'wasserstein' ? statistics.wasserstein : test === 'wasserstein_normed' ? statistics.wasserstein_normed : statistics.psi;
    const histogram = numericHistogram(summary ?? a, b);
    return { ...decide(test === 'ks' || test === 'wasserstein' || test === 'wasserstein_normed' ? test : 'psi', score, override?.threshold, statistics), histogram };
  }
  const a = reference.counts as Map<string, number>;
  const b = current.counts as Map<string, number>;
  const chi = chiSquare(a, b);
  const statistics = { jensen_shannon: jensenShannon(a, b), chi_square: chi.statistic, chi_square_p_value: chi.pValue, psi: categoricalPsi(a, b) };
  const test = override?.test ?? (large ? 'jensen_shannon' : 'chi_square');
  const score = test === 'chi_square' ? chi.pValue : test === 'psi' ? statistics.psi : statistics.jensen_shannon;
  return { ...decide(test === 'chi_square' || test === 'psi' ? test : 'jensen_shannon', score, override?.threshold, statistics), histogram: categoricalHistogram(a, b) };
}

/** A label or prediction: the positive rate (true, or 1) compared by a test on proportions, with PSI beside it. */
function labelDrift(reference: ReferenceFeature, current: FeatureSample, override: { test?: TestName | undefined; threshold?: number | undefined } | undefined): FeatureDrift {
  const rate = (sample: ReferenceFeature) => {
    const summary = partialSummary(sample);
    // A profile keeps a 0/1 label's counts exactly; only one with over 1,001 distinct values (so
    // not 0/1) reaches here, kept as quantiles: its share of 1s, within a quantile step a side.
    if (summary) return { positives: Math.round(shareAt(summary, 1) * summary.count), total: summary.count };
    if (sample.kind === 'numeric') {
      const values = sample.sorted as Float64Array;
      let positives = 0;
      for (const v of values) if (v === 1) positives++;
      return { positives, total: values.length };
    }
    const counts = sample.counts as Map<string, number>;
    const positives = (counts.get('true') ?? 0) + (counts.get('1') ?? 0);
    return { positives, total: size(sample) };
  };
  const before = rate(reference);
  const now = rate(current);
  if (!before.total || !now.total) return { test: 'none', score: null, threshold: null, drifted: false, statistics: {}, reason: 'no values in one of the windows' };
  const split = (r: { positives: number; total: number }) => new Map([['positive', r.positives], ['negative', r.total - r.positives]]);
  const test = proportionsTest(before.positives, before.total, now.positives, now.total);
  const statistics = {
    reference_rate: before.positives / before.total,
    current_rate: now.positives / now.total,
    z: test.z,
    proportions_p_value: test.pValue,
    psi: categoricalPsi(split(before), split(now)),
  };
  return override?.test === 'psi' ? decide('psi', statistics.psi, override.threshold, statistics) : decide('proportions', test.pValue, override?.threshold, statistics);
}

function featureQuality(reference: ReferenceFeature, current: FeatureSample): FeatureQuality {
  const nullRate = { reference: reference.rows ? reference.nulls / reference.rows : 0, current: current.rows ? current.nulls / current.rows : 0 };
  if (reference.kind === 'numeric') {
    // A profile's first and last quantiles are the reference's minimum and maximum.
    const a = reference.sorted as Float64Array;
    const b = current.sorted as Float64Array;
    let outOfRange = 0;
    if (a.length) for (const v of b) if (v < (a[0] as number) || v > (a[a.length - 1] as number)) outOfRange++;
    return { nullRate, outOfRange };
  }
  const known = reference.counts as Map<string, number>;
  const newCategories = [...(current.counts?.keys() ?? [])].filter((c) => !known.has(c)).slice(0, 20);
  return { nullRate, newCategories };
}
