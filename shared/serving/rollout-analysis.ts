import type { Analysis, CheckDecision, RolloutCheck, VariantFigures } from './rollout-definitions.js';

export interface Verdict {
  outcome: 'pass' | 'hold' | 'fail';
  reasons: string[];
  p95Ratio?: number;
  p99Ratio?: number;
  scorePsi?: number;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Compares the candidate with the stable over one interval. Too few requests on either side:
 * hold (a check with little traffic says nothing). Otherwise every threshold given is checked
 * and each one broken is named with its figures; a ratio or PSI the figures cannot give (no
 * latency or no scores on one side) is not a failure.
 */
export function analyse(stable: VariantFigures, candidate: VariantFigures, analysis: Analysis): Verdict {
  const p95Ratio = stable.p95Ms && candidate.p95Ms !== undefined ? candidate.p95Ms / stable.p95Ms : undefined;
  const p99Ratio = stable.p99Ms && candidate.p99Ms !== undefined ? candidate.p99Ms / stable.p99Ms : undefined;
  const stableRows = sum(stable.scoreCounts);
  const candidateRows = sum(candidate.scoreCounts);
  const scorePsi = stableRows && candidateRows ? smoothedPsi(stable.scoreCounts, candidate.scoreCounts) : undefined;
  const comparisons = {
    ...(p95Ratio === undefined ? {} : { p95Ratio: round(p95Ratio) }),
    ...(p99Ratio === undefined ? {} : { p99Ratio: round(p99Ratio) }),
    ...(scorePsi === undefined ? {} : { scorePsi: round(scorePsi) }),
  };
  const few = [
    ...(candidate.requests < analysis.minRequests ? [`candidate had ${candidate.requests} request(s), fewer than minRequests ${analysis.minRequests}`] : []),
    ...(stable.requests < analysis.minRequests ? [`stable had ${stable.requests} request(s), fewer than minRequests ${analysis.minRequests}`] : []),
  ];
  if (few.length) return { outcome: 'hold', reasons: few, ...comparisons };

  const reasons: string[] = [];
  if (candidate.errorRate > analysis.maxErrorRate) reasons.push(`error rate ${round(candidate.errorRate)} > maxErrorRate ${analysis.maxErrorRate}`);
  if (analysis.maxP95Ms !== undefined && candidate.p95Ms !== undefined && candidate.p95Ms > analysis.maxP95Ms) reasons.push(`p95 ${round(candidate.p95Ms, 1)} ms > maxP95Ms ${analysis.maxP95Ms}`);
  if (analysis.maxP99Ms !== undefined && candidate.p99Ms !== undefined && candidate.p99Ms > analysis.maxP99Ms) reasons.push(`p99 ${round(candidate.p99Ms, 1)} ms > maxP99Ms ${analysis.maxP99Ms}`);
  if (analysis.maxP99Ratio !== undefined && p99Ratio !== undefined && p99Ratio > analysis.maxP99Ratio) reasons.push(`p99 ratio ${round(p99Ratio, 2)} > maxP99Ratio ${analysis.maxP99Ratio}`);
  const psiJudged = stableRows >= analysis.minScoreRows && candidateRows >= analysis.minScoreRows;
  if (analysis.maxScorePsi !== undefined && scorePsi !== undefined && psiJudged && scorePsi > analysis.maxScorePsi) reasons.push(`score PSI ${round(scorePsi)} > maxScorePsi ${analysis.maxScorePsi}`);
  return { outcome: reasons.length ? 'fail' : 'pass', reasons, ...comparisons };
}

const sum = (counts: readonly number[]) => counts.reduce((total, count) => total + count, 0);

/**
 * PSI of `actual` against `expected` with half a row added to every bin on both sides (the
 * Jeffreys prior): an empty bin then weighs by how few rows there were, not by an arbitrary
 * floor, so a small sample of the same distribution gives a small PSI.
 */
export function smoothedPsi(expected: readonly number[], actual: readonly number[]): number {
  const bins = Math.max(expected.length, actual.length);
  const expectedTotal = sum(expected) + bins / 2;
  const actualTotal = sum(actual) + bins / 2;
  let psi = 0;
  for (let i = 0; i < bins; i++) {
    const e = ((expected[i] ?? 0) + 0.5) / expectedTotal;
    const a = ((actual[i] ?? 0) + 0.5) / actualTotal;
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

export interface RolloutPosition {
  steps: readonly number[];
  /** Index into steps of the candidate's current weight. */
  stepIndex: number;
  failures: number;
  failureLimit: number;
  checks: number;
  maxChecks: number;
}

export interface Decision {
  decision: CheckDecision;
  stepIndex: number;
  failures: number;
  /** The candidate's weight after the decision (100 on promote, 0 on rollback). */
  nextWeight: number;
  reasons: string[];
}

/**
 * What a verdict does to a rollout: a pass moves to the next step, or promotes after the last
 * step below 100 (a candidate at 100 has nothing left to be compared with); a failure counts,
 * and the failureLimit-th rolls back; a hold stays. A rollout that reaches its check limit
 * without a decision is rolled back too: it never ends holding forever.
 */
export function decide(position: RolloutPosition, verdict: Verdict): Decision {
  const weight = position.steps[position.stepIndex] as number;
  if (verdict.outcome === 'pass') {
    const next = position.stepIndex + 1;
    const nextWeight = position.steps[next];
    if (nextWeight === undefined || nextWeight >= 100) return { decision: 'promote', stepIndex: position.steps.length - 1, failures: position.failures, nextWeight: 100, reasons: verdict.reasons };
    return { decision: 'advance', stepIndex: next, failures: position.failures, nextWeight, reasons: verdict.reasons };
  }
  const failures = position.failures + (verdict.outcome === 'fail' ? 1 : 0);
  if (failures >= position.failureLimit) {
    return { decision: 'rollback', stepIndex: position.stepIndex, failures, nextWeight: 0, reasons: [...verdict.reasons, `${failures} failed check(s) reached failureLimit ${position.failureLimit}`] };
  }
  if (position.checks + 1 >= position.maxChecks) {
    return { decision: 'rollback', stepIndex: position.stepIndex, failures, nextWeight: 0, reasons: [...verdict.reasons, `no decision in ${position.maxChecks} checks`] };
  }
  return { decision: verdict.outcome === 'fail' ? 'fail' : 'hold', stepIndex: position.stepIndex, failures, nextWeight: weight, reasons: verdict.reasons };
}

/** For a check record: figures without the score histogram, rounded. */
export function publicFigures(figures: VariantFigures): Omit<VariantFigures, 'scoreCounts'> {
  return {
    requests: figures.requests,
    errors: figures.errors,
    errorRate: round(figures.errorRate),
    ...(figures.p95Ms === undefined ? {} : { p95Ms: round(figures.p95Ms, 2) }),
    ...(figures.p99Ms === undefined ? {} : { p99Ms: round(figures.p99Ms, 2) }),
  };
}

export type CheckRecordInput = Omit<RolloutCheck, 'seq' | 'at'>;
