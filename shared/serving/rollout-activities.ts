import type { Services } from '../platform/services.js';
import { messageOf } from '../platform/errors.js';
import { analyse, decide, publicFigures, type Verdict } from './rollout-analysis.js';
import type { RolloutCommand, RolloutCheck, VariantFigures } from './rollout-definitions.js';
import { finishedStates, maxRolloutChecks } from './rollout-definitions.js';
import type { RolloutStatus } from './rollout-contract.js';
import { metricsProvider } from './rollout-metrics-provider.js';
import { rolloutActive, rolloutCandidateWeight, rolloutCheckFigure, rolloutChecks, rolloutEvents, rolloutFailedChecks } from './rollout-metrics.js';
import { readRollout, releaseLock, writeRollout, type Rollout } from './rollout-store.js';
import { addCandidate, promoteCandidate, setCandidateWeight } from './rollout-weights.js';

/**
 * The rollout's activities: each reads the rollout's record, acts on the endpoint, and writes
 * the record back with what it did. The record holds the position, so an activity run again
 * after a host died continues from what was written, never from the orchestration's memory.
 */

const status = (rollout: Rollout): RolloutStatus => ({ state: rollout.state, weight: rollout.weight });

async function load(services: Services, endpoint: string, id: string): Promise<Rollout> {
  const rollout = await readRollout(services, endpoint, id);
  if (!rollout) throw new Error(`rollout ${endpoint}/${id} has no record`);
  return rollout;
}

function event(rollout: Rollout, now: Date, name: string, note?: string): void {
  rollout.events.push({ at: now.toISOString(), event: name, weight: rollout.weight, ...(note ? { note } : {}) });
}

/** Ends a rollout: state, reason, the slot freed, the gauges and the outcome counter. */
async function finish(services: Services, rollout: Rollout, state: Rollout['state'], reason: string, now: Date): Promise<RolloutStatus> {
  rollout.state = state;
  rollout.reason = reason;
  rollout.endedAt = now.toISOString();
  rollout.updatedAt = now.toISOString();
  event(rollout, now, state, reason);
  await writeRollout(services, rollout);
  await releaseLock(services, rollout.endpoint, rollout.id);
  rolloutEvents.inc({ endpoint: rollout.endpoint, event: state });
  rolloutActive.set({ endpoint: rollout.endpoint }, 0);
  rolloutCandidateWeight.set({ endpoint: rollout.endpoint }, rollout.weight);
  return status(rollout);
}

/** A failure of Arbor's own (the endpoint changed under the rollout, a store down) ends the rollout as failed, candidate at 0 where possible. */
async function failed(services: Services, rollout: Rollout, error: unknown, now: Date): Promise<RolloutStatus> {
  await setCandidateWeight(services, rollout, 0, now).then(
    () => (rollout.weight = 0),
    () => undefined,
  );
  return finish(services, rollout, 'failed', messageOf(error), now);
}

export async function beginRollout(services: Services, endpoint: string, id: string, now = new Date()): Promise<RolloutStatus> {
  const rollout = await load(services, endpoint, id);
  if (finishedStates.has(rollout.state) || rollout.events.some((e) => e.event === 'started')) return status(rollout);
  const weight = rollout.request.steps[0] as number;
  try {
    await addCandidate(services, rollout, weight, now);
  } catch (error) {
    return failed(services, rollout, error, now);
  }
  rollout.weight = weight;
  rollout.updatedAt = now.toISOString();
  event(rollout, now, 'started', `${rollout.candidate.model} v${rollout.candidate.version} as "${rollout.candidate.name}" at ${weight}%`);
  await writeRollout(services, rollout);
  rolloutEvents.inc({ endpoint, event: 'started' });
  rolloutActive.set({ endpoint }, 1);
  rolloutCandidateWeight.set({ endpoint }, weight);
  rolloutFailedChecks.set({ endpoint }, 0);
  if (weight >= 100) {
    // A single step of 100 is an immediate switch: nothing to compare with.
    await promoteCandidate(services, rollout, now);
    rollout.weight = 100;
    return finish(services, rollout, 'promoted', 'the first step is 100', now);
  }
  return status(rollout);
}

/** Reads both variants' figures over the interval; a provider that fails makes a failed check naming it. */
async function readFigures(services: Services, rollout: Rollout): Promise<{ stable: VariantFigures; candidate: VariantFigures } | { error: string }> {
  try {
    const provider = metricsProvider(services, rollout.request.metrics.provider);
    const seconds = rollout.request.intervalSeconds;
    const [stable, candidate] = await Promise.all([provider.variant(rollout.endpoint, rollout.stable.name, seconds), provider.variant(rollout.endpoint, rollout.candidate.name, seconds)]);
    return { stable, candidate };
  } catch (error) {
    return { error: `metrics provider ${rollout.request.metrics.provider}: ${messageOf(error)}` };
  }
}

export async function checkRollout(services: Services, endpoint: string, id: string, now = new Date()): Promise<RolloutStatus> {
  const rollout = await load(services, endpoint, id);
  if (rollout.state !== 'running') return status(rollout);
  const figures = await readFigures(services, rollout);
  const verdict: Verdict = 'error' in figures ? { outcome: 'fail', reasons: [figures.error] } : analyse(figures.stable, figures.candidate, rollout.request.analysis);
  const decision = decide(
    { steps: rollout.request.steps, stepIndex: rollout.stepIndex, failures: rollout.failures, failureLimit: rollout.request.failureLimit, checks: rollout.checkCount, maxChecks: maxRolloutChecks },
    verdict,
  );
  const check: RolloutCheck = {
    seq: rollout.checkCount + 1,
    at: now.toISOString(),
    weight: rollout.weight,
    windowSeconds: rollout.request.intervalSeconds,
    decision: decision.decision,
    reasons: decision.reasons,
    ...('error' in figures ? {} : { stable: publicFigures(figures.stable), candidate: publicFigures(figures.candidate) }),
    ...(verdict.p95Ratio === undefined ? {} : { p95Ratio: verdict.p95Ratio }),
    ...(verdict.p99Ratio === undefined ? {} : { p99Ratio: verdict.p99Ratio }),
    ...(verdict.scorePsi === undefined ? {} : { scorePsi: verdict.scorePsi }),
    nextWeight: decision.nextWeight,
  };
  rollout.checks.push(check);
  rollout.checkCount = check.seq;
  rollout.failures = decision.failures;
  rollout.stepIndex = decision.stepIndex;
  rollout.updatedAt = now.toISOString();
  rolloutChecks.inc({ endpoint, decision: decision.decision });
  rolloutFailedChecks.set({ endpoint }, decision.failures);
  if (check.candidate) {
    rolloutCheckFigure.set({ endpoint, figure: 'candidate_error_rate' }, check.candidate.errorRate);
    if (check.candidate.p99Ms !== undefined) rolloutCheckFigure.set({ endpoint, figure: 'candidate_p99_ms' }, check.candidate.p99Ms);
    if (check.stable?.p99Ms !== undefined) rolloutCheckFigure.set({ endpoint, figure: 'stable_p99_ms' }, check.stable.p99Ms);
  }
  if (check.p99Ratio !== undefined) rolloutCheckFigure.set({ endpoint, figure: 'p99_ratio' }, check.p99Ratio);
  if (check.scorePsi !== undefined) rolloutCheckFigure.set({ endpoint, figure: 'score_psi' }, check.scorePsi);

  try {
    if (decision.decision === 'promote') {
      await promoteCandidate(services, rollout, now);
      rollout.weight = 100;
      return await finish(services, rollout, 'promoted', `passed the check at ${check.weight}%, the last step`, now);
    }
    if (decision.decision === 'rollback') {
      await setCandidateWeight(services, rollout, 0, now);
      rollout.weight = 0;
      return await finish(services, rollout, 'rolled_back', decision.reasons.join('; '), now);
    }
    if (decision.nextWeight !== rollout.weight) await setCandidateWeight(services, rollout, decision.nextWeight, now);
  } catch (error) {
    return failed(services, rollout, error, now);
  }
  rollout.weight = decision.nextWeight;
  rolloutCandidateWeight.set({ endpoint }, rollout.weight);
  // The record keeps the newest checks; checkCount keeps counting.
  if (rollout.checks.length > maxRolloutChecks) rollout.checks.splice(0, rollout.checks.length - maxRolloutChecks);
  await writeRollout(services, rollout);
  return status(rollout);
}

export async function commandRollout(services: Services, endpoint: string, id: string, command: RolloutCommand, now = new Date()): Promise<RolloutStatus> {
  const rollout = await load(services, endpoint, id);
  if (finishedStates.has(rollout.state)) return status(rollout);
  try {
    if (command === 'pause' && rollout.state === 'running') rollout.state = 'paused';
    else if (command === 'resume' && rollout.state === 'paused') rollout.state = 'running';
    else if (command === 'abort') {
      await setCandidateWeight(services, rollout, 0, now);
      rollout.weight = 0;
      return await finish(services, rollout, 'aborted', 'aborted on request', now);
    } else if (command === 'promote') {
      await promoteCandidate(services, rollout, now);
      rollout.weight = 100;
      return await finish(services, rollout, 'promoted', 'promoted on request', now);
    } else return status(rollout);
  } catch (error) {
    return failed(services, rollout, error, now);
  }
  rollout.updatedAt = now.toISOString();
  event(rollout, now, command === 'pause' ? 'paused' : 'resumed');
  await writeRollout(services, rollout);
  return status(rollout);
}
