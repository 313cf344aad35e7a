import { randomUUID } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { requireEndpoint } from './endpoints.js';
import { getModel, getModelVersion } from './registry.js';
import { rolloutOrchestratorNames, rolloutControlEvent, type RolloutControlSignal, type RolloutOrchestrationInput } from './rollout-contract.js';
import type { RolloutCommand, RolloutRequest } from './rollout-definitions.js';
import { commandRollout } from './rollout-activities.js';
import { providerProblem } from './rollout-metrics-provider.js';
import { activeRolloutId, readRollout, releaseLock, takeLock, writeRollout, type Rollout } from './rollout-store.js';

/**
 * Starting and steering rollouts from the API. Everything a request can get wrong is checked
 * before anything is written (400 naming the field, nothing changed); a second rollout on an
 * endpoint is a 409 naming the one that runs. The orchestration (rollout-orchestrator.ts) does
 * the rest, through the activities in rollout-activities.ts.
 */
export async function startRollout(
  services: Services,
  client: Pick<DurableClient, 'startNew'>,
  endpointName: string,
  request: RolloutRequest,
  now = new Date(),
): Promise<Rollout> {
  const endpoint = await requireEndpoint(services, endpointName, { fresh: true });
  const problems: ErrorDetail[] = [];
  const { candidate } = request;
  if (!(await getModel(services, candidate.model))) problems.push({ field: 'candidate.model', problem: `model "${candidate.model}" is not registered` });
  else if (!(await getModelVersion(services, candidate.model, candidate.version))) problems.push({ field: 'candidate.version', problem: `model "${candidate.model}" has no version ${candidate.version}` });
  if (candidate.faults && services.settings.ARBOR_SERVING_ALLOW_FAULTS !== 'true') {
    problems.push({ field: 'candidate.faults', problem: 'fault injection is off on this app (ARBOR_SERVING_ALLOW_FAULTS=true turns it on, for tests and demos only)' });
  }
  const providerIssue = providerProblem(services, request.metrics.provider);
  if (providerIssue) problems.push({ field: 'metrics.provider', problem: providerIssue });
  if (problems.length) throw new ValidationError(problems);
  // Checked before the endpoint's weights, which a running rollout has split.
  const running = await activeRolloutId(services, endpointName);
  if (running) throw new ConflictError(`endpoint "${endpointName}" has a rollout running: ${running}; abort or promote it first`, [{ field: 'rolloutId', problem: `${running} is running` }]);
  const stable = endpoint.variants.find((v) => v.weight === 100);
  if (!stable) problems.push({ field: '(endpoint)', problem: `endpoint "${endpointName}" splits its traffic (${endpoint.variants.map((v) => `${v.name} ${v.weight}`).join(', ')}); a rollout starts from one variant at weight 100` });
  else if (stable.name === candidate.name) problems.push({ field: 'candidate.name', problem: `"${candidate.name}" is the stable variant's name; give the candidate another` });
  else if (stable.model === candidate.model && stable.version === candidate.version) problems.push({ field: 'candidate.version', problem: `the stable variant "${stable.name}" already serves ${candidate.model} version ${candidate.version}` });
  if (problems.length || !stable) throw new ValidationError(problems);

  const id = `ro-${randomUUID()}`;
  const holder = await takeLock(services, endpointName, id, now);
  if (holder) throw new ConflictError(`endpoint "${endpointName}" has a rollout running: ${holder.rolloutId}; abort or promote it first`, [{ field: 'rolloutId', problem: `${holder.rolloutId} is running` }]);
  const rollout: Rollout = {
    id,
    endpoint: endpointName,
    state: 'running',
    request,
    stable: { name: stable.name, model: stable.model, version: stable.version },
    candidate: { name: candidate.name, model: candidate.model, version: candidate.version },
    stepIndex: 0,
    weight: 0,
    failures: 0,
    checkCount: 0,
    checks: [],
    events: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  try {
    await writeRollout(services, rollout);
    await client.startNew(rolloutOrchestratorNames.rollout, { instanceId: id, input: { rolloutId: id, endpoint: endpointName, intervalSeconds: request.intervalSeconds } satisfies RolloutOrchestrationInput });
  } catch (error) {
    await releaseLock(services, endpointName, id).catch(() => undefined);
    throw error;
  }
  return rollout;
}

export async function requireRollout(services: Services, endpoint: string, id: string): Promise<Rollout> {
  const rollout = await readRollout(services, endpoint, id);
  if (!rollout) throw new NotFoundError('rollout', `${endpoint}/${id}`);
  return rollout;
}

/** The states each command applies in. */
const appliesIn: Record<RolloutCommand, readonly string[]> = {
  pause: ['running'],
  resume: ['paused'],
  abort: ['running', 'paused'],
  promote: ['running', 'paused'],
};

/**
 * Asks the orchestration to pause, resume, abort or promote. A command the rollout's state
 * does not take is a 409 saying which state it is in. The orchestration applies it (and
 * records it) at once: between checks, never in the middle of one.
 */
export async function controlRollout(services: Services, client: Pick<DurableClient, 'raiseEvent' | 'getStatus'>, endpoint: string, id: string, command: RolloutCommand): Promise<Rollout> {
  const rollout = await requireRollout(services, endpoint, id);
  if (!appliesIn[command].includes(rollout.state)) {
    throw new ConflictError(`rollout ${id} is ${rollout.state}; ${command} applies to a rollout that is ${appliesIn[command].join(' or ')}`, [{ field: 'state', problem: `is ${rollout.state}` }]);
  }
  // An orchestration that ended without ending its rollout (terminated, or failed past its
  // retries) would never hear the event: abort and promote then act here, so the endpoint's
  // slot is never held for good.
  if (command === 'abort' || command === 'promote') {
    const status = await client.getStatus(id).catch(() => undefined);
    const ended = !status || ['Completed', 'Failed', 'Terminated', 'Canceled'].includes(String(status.runtimeStatus));
    if (ended) {
      await commandRollout(services, endpoint, id, command);
      return rollout;
    }
  }
  await client.raiseEvent(id, rolloutControlEvent, { command } satisfies RolloutControlSignal);
  return rollout;
}
