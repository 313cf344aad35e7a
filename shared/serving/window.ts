import type { RedisClient } from '../storage/redis-client.js';
import { latencyBuckets } from '../platform/metrics.js';
import { callDependency } from '../storage/dependency.js';

/**
 * Per-variant metrics every instance shares (docs/serving.md "Shared windows"): in Azure many
 * instances serve one endpoint, and a rollout must judge a variant on all of its traffic. Each
 * instance adds its requests into time buckets in Redis; anyone reads a window back.
 *
 * Layout: one hash per (endpoint, variant, bucket), `serving:{<endpoint>|<variant>}:<bucket
 * start, epoch seconds>`, kept `retentionSeconds`. The braces are a hash tag: every bucket of a
 * variant lives in one slot of a clustered Redis, so one pipeline reads a whole window. Fields:
 * `n` requests, `e` errors (5xx), `r` rejected (4xx after routing), `rows` rows scored,
 * `l<i>` requests whose latency fell in `latencyBoundsMs[i]` (the last, past every bound),
 * `s<i>` rows whose score fell in score bin i (20 equal bins over [0, 1]; outside clamps).
 * The shadow's hash (variant `~shadow`) adds `p<i>` (the answering variant's scores of the
 * mirrored rows), `c` rows compared and `a` rows where both decide alike (score >= 0.5).
 */
export const bucketSeconds = 5;
export const retentionSeconds = 2 * 3600;
/** The longest window a reader may ask for. */
export const maxWindowSeconds = 3600;
/** Upper bounds of the latency histogram, milliseconds; a last bucket holds everything slower. */
export const latencyBoundsMs: readonly number[] = latencyBuckets.map((seconds) => Math.round(seconds * 1_000_000) / 1000);
export const scoreBins = 20;
/** The variant name the shadow's figures are kept under (not a valid variant name, so never a clash). */
export const shadowVariant = '~shadow';
/** A score at or above this is the positive class, for the shadow's agreement. */
export const decisionThreshold = 0.5;

const bucketKey = (endpoint: string, variant: string, bucket: number) => `serving:{${endpoint}|${variant}}:${bucket}`;
const bucketOf = (ms: number) => Math.floor(ms / 1000 / bucketSeconds) * bucketSeconds;

export function latencyBin(ms: number): number {
  const index = latencyBoundsMs.findIndex((bound) => ms <= bound);
  return index === -1 ? latencyBoundsMs.length : index;
}

export function scoreBin(score: number): number {
  if (!Number.isFinite(score)) return score > 0 ? scoreBins - 1 : 0;
  return Math.min(scoreBins - 1, Math.max(0, Math.floor(score * scoreBins)));
}

function scoreCounts(scores: readonly number[]): number[] {
  const counts = new Array<number>(scoreBins).fill(0);
  for (const score of scores) counts[scoreBin(score)] = (counts[scoreBin(score)] as number) + 1;
  return counts;
}

export type RequestOutcome = 'ok' | 'rejected' | 'error';

export interface VariantObservation {
  endpoint: string;
  variant: string;
  latencyMs: number;
  outcome: RequestOutcome;
  /** The scores answered (one per row); none when the request failed. */
  scores?: readonly number[];
}

async function addToBucket(redis: RedisClient, key: string, increments: Record<string, number>): Promise<void> {
  const pipeline = redis.pipeline();
  for (const [field, by] of Object.entries(increments)) if (by !== 0) pipeline.hincrby(key, field, by);
  pipeline.expire(key, retentionSeconds);
  await callDependency('redis', () => pipeline.exec());
}

/** Adds one predict request to its variant's current bucket (one round trip). */
export async function recordVariantRequest(redis: RedisClient, observation: VariantObservation, now = Date.now()): Promise<void> {
  const increments: Record<string, number> = { n: 1, [`l${latencyBin(observation.latencyMs)}`]: 1 };
  if (observation.outcome === 'error') increments.e = 1;
  if (observation.outcome === 'rejected') increments.r = 1;
  const scores = observation.scores ?? [];
  if (scores.length) {
    increments.rows = scores.length;
    scoreCounts(scores).forEach((count, i) => (increments[`s${i}`] = count));
  }
  await addToBucket(redis, bucketKey(observation.endpoint, observation.variant, bucketOf(now)), increments);
}

export interface ShadowObservation {
  endpoint: string;
  latencyMs: number;
  ok: boolean;
  /** The shadow's scores and the answering variant's, row for row (empty when the shadow failed). */
  shadowScores: readonly number[];
  primaryScores: readonly number[];
}

export async function recordShadowComparison(redis: RedisClient, observation: ShadowObservation, now = Date.now()): Promise<void> {
  const increments: Record<string, number> = { n: 1, [`l${latencyBin(observation.latencyMs)}`]: 1 };
  if (!observation.ok) increments.e = 1;
  else {
    const rows = Math.min(observation.shadowScores.length, observation.primaryScores.length);
    let agree = 0;
    for (let i = 0; i < rows; i++) {
      if (((observation.shadowScores[i] as number) >= decisionThreshold) === ((observation.primaryScores[i] as number) >= decisionThreshold)) agree++;
    }
    increments.rows = rows;
    increments.c = rows;
    increments.a = agree;
    scoreCounts(observation.shadowScores.slice(0, rows)).forEach((count, i) => (increments[`s${i}`] = count));
    scoreCounts(observation.primaryScores.slice(0, rows)).forEach((count, i) => (increments[`p${i}`] = count));
  }
  await addToBucket(redis, bucketKey(observation.endpoint, shadowVariant, bucketOf(now)), increments);
}

export interface Histogram {
  /** Upper bounds; counts has one more entry, for everything past the last bound. */
  bounds: readonly number[];
  counts: number[];
}

/** What a variant did over a window: what a rollout's analysis reads. */
export interface VariantWindow {
  endpoint: string;
  variant: string;
  /** The window asked for, rounded out to whole buckets (the current, partial one included). */
  from: string;
  to: string;
  seconds: number;
  requests: number;
  errors: number;
  rejected: number;
  /** errors / requests; 0 when there were no requests. */
  errorRate: number;
  rows: number;
  /** Interpolated within the histogram's buckets; undefined when there were no requests. */
  latencyMs: { p50: number | undefined; p95: number | undefined; p99: number | undefined };
  latencyHistogram: Histogram;
  /** Rows per score bin (20 equal bins over [0, 1]; bounds are each bin's upper edge). */
  scoreHistogram: Histogram;
}

export interface ShadowWindow extends VariantWindow {
  /** The answering variants' scores of the same mirrored rows. */
  primaryScoreHistogram: Histogram;
  compared: number;
  /** Share of compared rows where both decide alike; undefined when none were compared. */
  agreementRate: number | undefined;
  /** PSI of the shadow's scores against the answering variants' for the same rows; undefined when none. */
  scorePsi: number | undefined;
}

const scoreBounds: readonly number[] = Array.from({ length: scoreBins - 1 }, (_, i) => (i + 1) / scoreBins);

/** The q-quantile (0-1) of a histogram, interpolated linearly inside the bucket it falls in. */
export function histogramQuantile(histogram: Histogram, q: number): number | undefined {
  const total = histogram.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    const count = histogram.counts[i] as number;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : (histogram.bounds[i - 1] as number);
      // Past the last bound there is no upper edge: the last bound is the best the histogram says.
      const upper = histogram.bounds[i] ?? lower;
      return lower + (upper - lower) * Math.max(0, Math.min(1, (rank - seen) / count));
    }
    seen += count;
  }
  return histogram.bounds[histogram.bounds.length - 1];
}

/**
 * Population stability index of `actual` against `expected` (counts over the same bins): the
 * sum of (a - e) ln(a / e) over the bins' shares, an empty bin counted as 0.0001 so it stays finite.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number | undefined {
  const expectedTotal = expected.reduce((sum, count) => sum + count, 0);
  const actualTotal = actual.reduce((sum, count) => sum + count, 0);
  if (expectedTotal === 0 || actualTotal === 0) return undefined;
  const floor = 1e-4;
  let psi = 0;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = Math.max(floor, (expected[i] ?? 0) / expectedTotal);
    const a = Math.max(floor, (actual[i] ?? 0) / actualTotal);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Sums of every field over the window's buckets (one pipelined round trip). */
async function readBuckets(redis: RedisClient, endpoint: string, variant: string, seconds: number, now: number): Promise<{ sums: Map<string, number>; from: number; to: number }> {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxWindowSeconds) throw new RangeError(`a window is 1-${maxWindowSeconds} whole seconds, not ${seconds}`);
  const last = bucketOf(now);
  const first = bucketOf(now - (seconds - 1) * 1000);
  const pipeline = redis.pipeline();
  for (let bucket = first; bucket <= last; bucket += bucketSeconds) pipeline.hgetall(bucketKey(endpoint, variant, bucket));
  const replies = (await callDependency('redis', () => pipeline.exec())) ?? [];
  const sums = new Map<string, number>();
  for (const [error, hash] of replies) {
    if (error) throw error;
    for (const [field, value] of Object.entries((hash ?? {}) as Record<string, string>)) sums.set(field, (sums.get(field) ?? 0) + Number(value));
  }
  return { sums, from: first, to: last + bucketSeconds };
}

function summarise(endpoint: string, variant: string, sums: Map<string, number>, from: number, to: number): VariantWindow {
  const get = (field: string) => sums.get(field) ?? 0;
  const latencyHistogram: Histogram = { bounds: latencyBoundsMs, counts: Array.from({ length: latencyBoundsMs.length + 1 }, (_, i) => get(`l${i}`)) };
  const requests = get('n');
  const errors = get('e');
  return {
    endpoint,
    variant,
    from: new Date(from * 1000).toISOString(),
    to: new Date(to * 1000).toISOString(),
    seconds: to - from,
    requests,
    errors,
    rejected: get('r'),
    errorRate: requests ? errors / requests : 0,
    rows: get('rows'),
    latencyMs: {
      p50: histogramQuantile(latencyHistogram, 0.5),
      p95: histogramQuantile(latencyHistogram, 0.95),
      p99: histogramQuantile(latencyHistogram, 0.99),
    },
    latencyHistogram,
    scoreHistogram: { bounds: scoreBounds, counts: Array.from({ length: scoreBins }, (_, i) => get(`s${i}`)) },
  };
}

/** Variant X over the last `seconds` (whole buckets, the current one included): counts, errors, p50/p95/p99, score histogram. */
export async function readVariantWindow(redis: RedisClient, endpoint: string, variant: string, seconds: number, now = Date.now()): Promise<VariantWindow> {
  const { sums, from, to } = await readBuckets(redis, endpoint, variant, seconds, now);
  return summarise(endpoint, variant, sums, from, to);
}

/** The shadow over the last `seconds`: its own figures, and how it compares with the answers given. */
export async function readShadowWindow(redis: RedisClient, endpoint: string, seconds: number, now = Date.now()): Promise<ShadowWindow> {
  const { sums, from, to } = await readBuckets(redis, endpoint, shadowVariant, seconds, now);
  const window = summarise(endpoint, shadowVariant, sums, from, to);
  const primaryScoreHistogram: Histogram = { bounds: scoreBounds, counts: Array.from({ length: scoreBins }, (_, i) => sums.get(`p${i}`) ?? 0) };
  const compared = sums.get('c') ?? 0;
  return {
    ...window,
    primaryScoreHistogram,
    compared,
    agreementRate: compared ? (sums.get('a') ?? 0) / compared : undefined,
    scorePsi: populationStabilityIndex(primaryScoreHistogram.counts, window.scoreHistogram.counts),
  };
}
