import { z } from 'zod';
import { faultsSchema, servingName } from './definitions.js';

/**
 * A canary rollout's vocabulary: the request that starts one, the thresholds its analysis
 * holds the candidate to, and the record of every check with its figures and decision.
 */

export const maxRolloutSteps = 20;
/** Checks one rollout may make before it gives up (rolled back): bounds its record and its durable history. */
export const maxRolloutChecks = 500;

export const analysisSchema = z.strictObject({
  /** Fewer requests than this on either variant in an interval: hold (neither pass nor fail). */
  minRequests: z.number().int().min(0).max(1_000_000).default(20),
  /** The candidate's share of 5xx answers. */
  maxErrorRate: z.number().min(0).max(1).default(0.01),
  /** The candidate's p95 and p99 latency, in milliseconds. */
  maxP95Ms: z.number().positive().max(600_000).optional(),
  maxP99Ms: z.number().positive().max(600_000).optional(),
  /** The candidate's p99 over the stable's p99. */
  maxP99Ratio: z.number().positive().max(1000).optional(),
  /** PSI of the candidate's score distribution against the stable's. */
  maxScorePsi: z.number().min(0).max(100).optional(),
  /** Scored rows each side needs before its PSI is judged: over 20 bins, a few rows give a large PSI by chance alone. */
  minScoreRows: z.number().int().min(1).max(1_000_000).default(50),
});
export type Analysis = z.output<typeof analysisSchema>;

export const metricsProviders = ['window', 'prometheus'] as const;
export type MetricsProviderName = (typeof metricsProviders)[number];

export const rolloutRequestSchema = z.strictObject({
  candidate: z.strictObject({
    model: servingName,
    version: z.number().int().positive(),
    /** The variant the candidate serves as; listed last, so keys it serves stay on it as its weight grows. */
    name: servingName.default('canary'),
    /** Tests and demos only: refused unless ARBOR_SERVING_ALLOW_FAULTS is true. */
    faults: faultsSchema.optional(),
  }),
  /** The candidate's weights, in order; strictly increasing, 1-100. Passing the last one promotes. */
  steps: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .max(maxRolloutSteps)
    .default([5, 25, 50, 100])
    .superRefine((steps, context) => {
      steps.forEach((step, i) => {
        if (i > 0 && step <= (steps[i - 1] as number)) context.addIssue({ code: 'custom', path: [i], message: `must be greater than the step before (${steps[i - 1]}): steps only move forward` });
      });
    }),
  /** Seconds between checks; each check reads the window of that many seconds. */
  intervalSeconds: z.number().int().min(1).max(3600).default(60),
  analysis: analysisSchema.prefault({}),
  /** Failed checks (cumulative) that roll the candidate back. */
  failureLimit: z.number().int().min(1).max(100).default(2),
  metrics: z.strictObject({ provider: z.enum(metricsProviders).default('window') }).prefault({}),
});
export type RolloutRequest = z.output<typeof rolloutRequestSchema>;

export const rolloutStates = ['running', 'paused', 'promoted', 'rolled_back', 'aborted', 'failed'] as const;
export type RolloutState = (typeof rolloutStates)[number];
export const finishedStates: ReadonlySet<RolloutState> = new Set(['promoted', 'rolled_back', 'aborted', 'failed']);

export const rolloutCommands = ['pause', 'resume', 'abort', 'promote'] as const;
export type RolloutCommand = (typeof rolloutCommands)[number];

/** One side of a check: what a variant did over the interval. */
export const variantFiguresSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  p95Ms: z.number().optional(),
  p99Ms: z.number().optional(),
  /** Rows per score bin (20 equal bins over [0, 1]). */
  scoreCounts: z.array(z.number()),
});
export type VariantFigures = z.output<typeof variantFiguresSchema>;

export const checkDecisions = ['advance', 'hold', 'fail', 'promote', 'rollback'] as const;
export type CheckDecision = (typeof checkDecisions)[number];

export const checkSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string().datetime(),
  /** The candidate's weight during the interval checked. */
  weight: z.number(),
  windowSeconds: z.number(),
  /** advance: all passed, next step; hold: too few requests; fail: a threshold broken (counted);
   * promote: passed the last step; rollback: failures reached the limit (or the check limit). */
  decision: z.enum(checkDecisions),
  /** What was broken, or why it held, in words with the figures. */
  reasons: z.array(z.string()),
  stable: variantFiguresSchema.omit({ scoreCounts: true }).optional(),
  candidate: variantFiguresSchema.omit({ scoreCounts: true }).optional(),
  p95Ratio: z.number().optional(),
  p99Ratio: z.number().optional(),
  scorePsi: z.number().optional(),
  /** The candidate's weight after the decision. */
  nextWeight: z.number(),
});
export type RolloutCheck = z.output<typeof checkSchema>;

/** Control requests and the rollout's own events, in order: what happened when, besides checks. */
export const rolloutEventSchema = z.object({ at: z.string().datetime(), event: z.string(), weight: z.number(), note: z.string().optional() });
export type RolloutEvent = z.output<typeof rolloutEventSchema>;

/** A rollout's id as a route parameter. */
export const rolloutIdParam = z.string().regex(/^ro-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'is not a rollout id (ro-<uuid>)');
