import { describe, expect, it } from 'vitest';
import { analyse, decide, smoothedPsi } from '../../../shared/serving/rollout-analysis.js';
import { analysisSchema, rolloutRequestSchema, type VariantFigures } from '../../../shared/serving/rollout-definitions.js';

const scores = (peak: number) => Array.from({ length: 20 }, (_, i) => (i === peak ? 90 : 1));
const figures = (overrides: Partial<VariantFigures> = {}): VariantFigures => ({ requests: 100, errors: 0, errorRate: 0, p95Ms: 10, p99Ms: 12, scoreCounts: scores(10), ...overrides });
const analysis = analysisSchema.parse({ minRequests: 20, maxErrorRate: 0.05, maxP99Ms: 100, maxP99Ratio: 3, maxScorePsi: 0.2 });

describe('rollout analysis', () => {
  it('passes a candidate that matches the stable, with its comparisons', () => {
    const verdict = analyse(figures(), figures({ p99Ms: 18 }), analysis);
    expect(verdict).toMatchObject({ outcome: 'pass', reasons: [], p99Ratio: 1.5, scorePsi: 0 });
  });

  it('holds with too few requests on either side, whatever the figures', () => {
    expect(analyse(figures(), figures({ requests: 5, errors: 5, errorRate: 1 }), analysis)).toMatchObject({ outcome: 'hold', reasons: [expect.stringMatching(/candidate had 5 request/)] });
    expect(analyse(figures({ requests: 3 }), figures(), analysis).outcome).toBe('hold');
  });

  it('fails naming every threshold broken, with its figure', () => {
    const verdict = analyse(figures(), figures({ errors: 10, errorRate: 0.1, p99Ms: 400, p95Ms: 300, scoreCounts: scores(2) }), { ...analysis, maxP95Ms: 200 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.reasons).toEqual([
      'error rate 0.1 > maxErrorRate 0.05',
      'p95 300 ms > maxP95Ms 200',
      'p99 400 ms > maxP99Ms 100',
      'p99 ratio 33.33 > maxP99Ratio 3',
      expect.stringMatching(/^score PSI \d+\.\d+ > maxScorePsi 0.2$/),
    ]);
  });

  it('leaves out comparisons the figures cannot give (no latency, no scores): not a failure', () => {
    const verdict = analyse(figures({ p95Ms: undefined, p99Ms: undefined, scoreCounts: new Array(20).fill(0) }), figures(), analysis);
    expect(verdict).toEqual({ outcome: 'pass', reasons: [] });
  });
});

describe('score PSI for rollouts', () => {
  it('is small for a small sample of the same distribution and large for a shifted one; judged only past minScoreRows', () => {
    const population = Array.from({ length: 20 }, (_, i) => 50 + 10 * Math.sin(i));
    // Ten rows from the population's middle bins: a raw PSI with a 1e-4 floor for empty bins would be over 2.
    const few = Array.from({ length: 20 }, (_, i) => (i >= 5 && i < 15 ? 1 : 0));
    expect(smoothedPsi(population, few)).toBeLessThan(0.5);
    expect(smoothedPsi(population, population)).toBe(0);
    expect(smoothedPsi(population, scores(2).map((c) => c * 10))).toBeGreaterThan(2);
    const shifted = figures({ scoreCounts: scores(2).map((c) => (c > 1 ? 30 : 0)) });
    expect(analyse(figures(), shifted, analysis).outcome).toBe('pass');
    expect(analyse(figures(), shifted, { ...analysis, minScoreRows: 30 }).reasons).toEqual([expect.stringMatching(/^score PSI/)]);
  });
});

describe('rollout decisions', () => {
  const position = { steps: [5, 25, 50, 100], stepIndex: 0, failures: 0, failureLimit: 2, checks: 0, maxChecks: 500 };
  it('advances on a pass, and promotes after the last step below 100 (or the last step)', () => {
    expect(decide(position, { outcome: 'pass', reasons: [] })).toMatchObject({ decision: 'advance', stepIndex: 1, nextWeight: 25 });
    expect(decide({ ...position, stepIndex: 2 }, { outcome: 'pass', reasons: [] })).toMatchObject({ decision: 'promote', nextWeight: 100 });
    expect(decide({ ...position, steps: [10, 30], stepIndex: 1 }, { outcome: 'pass', reasons: [] })).toMatchObject({ decision: 'promote', nextWeight: 100 });
  });
  it('holds, counts failures, and rolls back at failureLimit or at the check limit', () => {
    expect(decide(position, { outcome: 'hold', reasons: ['few'] })).toMatchObject({ decision: 'hold', failures: 0, nextWeight: 5 });
    expect(decide(position, { outcome: 'fail', reasons: ['bad'] })).toMatchObject({ decision: 'fail', failures: 1, nextWeight: 5 });
    const rollback = decide({ ...position, failures: 1 }, { outcome: 'fail', reasons: ['bad'] });
    expect(rollback).toMatchObject({ decision: 'rollback', failures: 2, nextWeight: 0 });
    expect(rollback.reasons).toEqual(['bad', '2 failed check(s) reached failureLimit 2']);
    expect(decide({ ...position, checks: 499 }, { outcome: 'hold', reasons: [] })).toMatchObject({ decision: 'rollback', reasons: ['no decision in 500 checks'] });
  });
});

describe('the rollout request', () => {
  it('takes defaults and refuses steps that do not move forward, naming each', () => {
    const parsed = rolloutRequestSchema.parse({ candidate: { model: 'churn', version: 2 } });
    expect(parsed).toMatchObject({ steps: [5, 25, 50, 100], intervalSeconds: 60, failureLimit: 2, analysis: { minRequests: 20, maxErrorRate: 0.01 }, metrics: { provider: 'window' }, candidate: { name: 'canary' } });
    const bad = rolloutRequestSchema.safeParse({ candidate: { model: 'churn', version: 0 }, steps: [10, 10, 101], intervalSeconds: 0, analysis: { maxErrorRate: 2, extra: 1 }, failureLimit: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['analysis', 'analysis.maxErrorRate', 'candidate.version', 'failureLimit', 'intervalSeconds', 'steps.1', 'steps.2'].sort());
  });
});
