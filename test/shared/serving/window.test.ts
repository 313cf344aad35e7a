import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  bucketSeconds,
  histogramQuantile,
  latencyBoundsMs,
  populationStabilityIndex,
  readShadowWindow,
  readVariantWindow,
  recordShadowComparison,
  recordVariantRequest,
  scoreBin,
} from '../../../shared/serving/window.js';
import { deleteRedisPrefix } from '../../support/clients.js';
import { uniqueName } from '../../support/host-process.js';

/** The shared per-variant windows, against the run's real Redis, under a prefix of their own. */
const prefix = `${uniqueName('window-test')}:`;
const redis = new Redis(inject('arborEnv').REDIS_URL as string, { keyPrefix: prefix });
afterAll(async () => {
  const plain = new Redis(inject('arborEnv').REDIS_URL as string);
  await deleteRedisPrefix(plain, prefix);
  plain.disconnect();
  redis.disconnect();
});

describe('histogram figures', () => {
  it('interpolates a quantile inside its bucket, and says nothing of an empty histogram', () => {
    const histogram = { bounds: [10, 20, 40], counts: [0, 10, 10, 0] };
    expect(histogramQuantile(histogram, 0.5)).toBe(20);
    expect(histogramQuantile(histogram, 0.25)).toBe(15);
    expect(histogramQuantile(histogram, 0.75)).toBe(30);
    expect(histogramQuantile(histogram, 1)).toBe(40);
    expect(histogramQuantile({ bounds: [10], counts: [0, 0] }, 0.5)).toBeUndefined();
    // Past the last bound the histogram knows only that bound.
    expect(histogramQuantile({ bounds: [10], counts: [0, 4] }, 0.99)).toBe(10);
  });

  it('computes PSI by its formula, 0 for equal shares, undefined without data', () => {
    expect(populationStabilityIndex([5, 5], [50, 50])).toBeCloseTo(0, 12);
    const psi = populationStabilityIndex([80, 20], [50, 50]) as number;
    expect(psi).toBeCloseTo((0.5 - 0.8) * Math.log(0.5 / 0.8) + (0.5 - 0.2) * Math.log(0.5 / 0.2), 12);
    expect(populationStabilityIndex([0, 0], [1, 1])).toBeUndefined();
  });

  it('bins scores into 20 equal bins over [0, 1], clamping outside', () => {
    expect([0, 0.049, 0.05, 0.5, 0.999, 1, 7, -3].map(scoreBin)).toEqual([0, 0, 1, 10, 19, 19, 19, 0]);
  });
});

describe('shared windows in Redis', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 2);

  it('adds requests into time buckets and reads a variant over the last N seconds', async () => {
    const endpoint = uniqueName('ep');
    const at = (secondsAgo: number) => now - secondsAgo * 1000;
    await recordVariantRequest(redis, { endpoint, variant: 'a', latencyMs: 4, outcome: 'ok', scores: [0.1, 0.9] }, at(0));
    await recordVariantRequest(redis, { endpoint, variant: 'a', latencyMs: 40, outcome: 'error' }, at(3));
    await recordVariantRequest(redis, { endpoint, variant: 'a', latencyMs: 400, outcome: 'rejected' }, at(30));
    await recordVariantRequest(redis, { endpoint, variant: 'b', latencyMs: 1, outcome: 'ok', scores: [0.5] }, at(0));

    const recent = await readVariantWindow(redis, endpoint, 'a', 10, now);
    expect(recent).toMatchObject({ requests: 2, errors: 1, rejected: 0, errorRate: 0.5, rows: 2 });
    expect(recent.scoreHistogram.counts[2]).toBe(1);
    expect(recent.scoreHistogram.counts[18]).toBe(1);
    expect(recent.latencyHistogram.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(recent.latencyMs.p99).toBeGreaterThan(30);
    expect(recent.latencyMs.p99).toBeLessThanOrEqual(latencyBoundsMs.find((b) => b >= 40) as number);
    expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(recent.seconds * 1000);
    expect(recent.seconds % bucketSeconds).toBe(0);

    const longer = await readVariantWindow(redis, endpoint, 'a', 60, now);
    expect(longer).toMatchObject({ requests: 3, errors: 1, rejected: 1 });
    expect((await readVariantWindow(redis, endpoint, 'b', 60, now)).requests).toBe(1);
    expect((await readVariantWindow(redis, endpoint, 'nobody', 60, now)).latencyMs.p95).toBeUndefined();
    await expect(readVariantWindow(redis, endpoint, 'a', 0, now)).rejects.toThrow(/1-3600 whole seconds/);
  });

  it('compares a shadow with the answers it mirrored: agreement and PSI', async () => {
    const endpoint = uniqueName('ep');
    await recordShadowComparison(redis, { endpoint, latencyMs: 2, ok: true, shadowScores: [0.9, 0.2, 0.7, 0.4], primaryScores: [0.8, 0.6, 0.7, 0.1] }, now);
    await recordShadowComparison(redis, { endpoint, latencyMs: 2, ok: false, shadowScores: [], primaryScores: [0.5] }, now);
    const shadow = await readShadowWindow(redis, endpoint, 30, now);
    expect(shadow).toMatchObject({ requests: 2, errors: 1, compared: 4, agreementRate: 0.75 });
    expect(shadow.scorePsi).toBeCloseTo(populationStabilityIndex(shadow.primaryScoreHistogram.counts, shadow.scoreHistogram.counts) as number, 12);
    expect(shadow.scorePsi).toBeGreaterThan(0);
  });
});
