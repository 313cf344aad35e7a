import { z } from 'zod';
import { testNames } from './requests.js';

/**
 * A drift report's shape, as the evaluation builds it and as it is stored and read back. A
 * statistic that is not a finite number (a z of 0/0) is stored as JSON null, so it reads as null.
 */
/** Numeric: shares over the reference's decile bins (`edges` inner, `min`/`max` the far ends); categorical: the most frequent categories and the rest. */
const histogramSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bins'), edges: z.array(z.number()), min: z.number(), max: z.number(), reference: z.array(z.number()), current: z.array(z.number()) }),
  z.object({ kind: z.literal('categories'), categories: z.array(z.string()), other: z.object({ reference: z.number(), current: z.number() }), reference: z.array(z.number()), current: z.array(z.number()) }),
]);

const featureDriftSchema = z.object({
  test: z.enum([...testNames, 'none']),
  score: z.number().nullable(),
  threshold: z.number().nullable(),
  drifted: z.boolean(),
  /** Every statistic computed for the feature, whichever decided. */
  statistics: z.record(z.string(), z.number().nullable()),
  reason: z.string().optional(),
  /** Both windows' shares over the same bins (histogram.ts); reports stored before 2 December 2026 have none. */
  histogram: histogramSchema.optional(),
});

const featureQualitySchema = z.object({
  nullRate: z.object({ reference: z.number(), current: z.number() }),
  /** Current values outside the reference's [min, max]. */
  outOfRange: z.number().int().optional(),
  /** Categories seen now and never in the reference (up to 20). */
  newCategories: z.array(z.string()).optional(),
});

const window = z.object({ start: z.iso.datetime(), end: z.iso.datetime() });

/**
 * Row counts of both windows and the change. `changeOf` says what changed: rows per day when
 * both windows have a length (`days`, `perDay`), raw counts when one has none (a profile of a
 * training set). Reports stored before windows were measured have neither and compared counts.
 */
const rowQualitySchema = z.object({
  reference: z.number().int(),
  current: z.number().int(),
  change: z.number().nullable(),
  changeOf: z.enum(['rows_per_day', 'rows']).optional(),
  days: z.object({ reference: z.number().nullable(), current: z.number().nullable() }).optional(),
  perDay: z.object({ reference: z.number(), current: z.number() }).optional(),
});

export const driftReportSchema = z.object({
  view: z.string(),
  ranAt: z.iso.datetime(),
  reference: z.union([window, z.object({ profile: z.string() })]),
  current: window,
  label: z.string().optional(),
  drifted: z.boolean(),
  features: z.record(z.string(), featureDriftSchema),
  quality: z.object({
    rows: rowQualitySchema,
    features: z.record(z.string(), featureQualitySchema),
  }),
});

export type Histogram = z.output<typeof histogramSchema>;
export type FeatureDrift = z.output<typeof featureDriftSchema>;
export type FeatureQuality = z.output<typeof featureQualitySchema>;
export type RowQuality = z.output<typeof rowQualitySchema>;
export type DriftReport = z.output<typeof driftReportSchema>;
export type DriftEvaluation = Pick<DriftReport, 'drifted' | 'features' | 'quality'>;
