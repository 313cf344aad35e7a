import { performance } from 'node:perf_hooks';
import { asArborError, BadRequestError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import type { Variant } from './definitions.js';
import { requireEndpoint, type Endpoint } from './endpoints.js';
import { applyFaults } from './faults.js';
import { predictDuration, predictionsServed, predictRequests, scoreDistribution } from './metrics.js';
import { requireModelVersion } from './registry.js';
import type { PredictRequest } from './requests.js';
import { chooseVariant, mirrored } from './routing.js';
import { scoreVersion, type Scored } from './score.js';
import { runShadow } from './shadow.js';
import { recordVariantRequest, type RequestOutcome } from './window.js';

/**
 * A predict request end to end: route to a variant (pinned by header, else by the weights at
 * the request key's point), apply the variant's injected faults if any, score, count the
 * request in the variant's shared window and in Prometheus, and hand the shadow its copy to
 * run once the answer has gone.
 */
export interface PredictAnswer {
  predictions: number[];
  /** Present when the signature declares more than one output: the others, per row. */
  outputs?: Record<string, number[][]>;
  variant: string;
  model: string;
  version: number;
  featureStatus: Scored['featureStatus'];
}

export interface PredictResult {
  answer: PredictAnswer;
  /** Set when this request loaded the model on this instance. */
  coldLoadMs: number | undefined;
  /** Runs the shadow; call it after the answer is sent (undefined when the request is not mirrored). */
  shadow: (() => Promise<void>) | undefined;
}

function pickVariant(endpoint: Endpoint, request: PredictRequest, pinned: string | undefined): Variant {
  if (pinned === undefined) return chooseVariant(endpoint.variants, request.requestKey);
  const variant = endpoint.variants.find((v) => v.name === pinned);
  if (!variant) {
    throw new BadRequestError('unknown_variant', `endpoint "${endpoint.name}" has no variant "${pinned}"`, [
      { field: 'x-arbor-variant', problem: `is not a variant of the endpoint (its variants: ${endpoint.variants.map((v) => v.name).join(', ')})` },
    ]);
  }
  return variant;
}

function record(services: Services, endpoint: string, variant: string, started: number, outcome: RequestOutcome, scores?: readonly number[]): void {
  const latencyMs = performance.now() - started;
  predictRequests.inc({ endpoint, variant, outcome });
  predictDuration.observe({ endpoint, variant }, latencyMs / 1000);
  if (scores) {
    predictionsServed.inc({ endpoint, variant }, scores.length);
    for (const score of scores) scoreDistribution.observe({ endpoint, variant }, score);
  }
  // Counted for every instance to read, without holding the answer back for the write.
  void recordVariantRequest(services.redis, { endpoint, variant, latencyMs, outcome, ...(scores ? { scores } : {}) }).catch((error: unknown) => {
    console.warn(`serving: could not record ${endpoint}/${variant} in the shared window: ${error instanceof Error ? error.message : String(error)}`);
  });
}

export async function predict(services: Services, endpointName: string, request: PredictRequest, options: { pinned?: string | undefined; now?: Date } = {}): Promise<PredictResult> {
  const endpoint = await requireEndpoint(services, endpointName);
  const variant = pickVariant(endpoint, request, options.pinned);
  const started = performance.now();
  const now = options.now ?? new Date();
  let scored: Scored;
  try {
    await applyFaults(services, variant.name, variant.faults);
    const version = await requireModelVersion(services, variant.model, variant.version);
    scored = await scoreVersion(services, version, request, now, endpoint.name);
  } catch (error) {
    const status = asArborError(error)?.status ?? 500;
    record(services, endpoint.name, variant.name, started, status < 500 ? 'rejected' : 'error');
    throw error;
  }
  record(services, endpoint.name, variant.name, started, 'ok', scored.scores);
  const answer: PredictAnswer = {
    predictions: scored.scores,
    ...(Object.keys(scored.outputs).length ? { outputs: scored.outputs } : {}),
    variant: variant.name,
    model: variant.model,
    version: variant.version,
    featureStatus: scored.featureStatus,
  };
  const shadow = endpoint.shadow && mirrored(endpoint.shadow.percent, request.requestKey) ? () => runShadow(services, endpoint, request, scored.scores, now) : undefined;
  return { answer, coldLoadMs: scored.coldLoadMs, shadow };
}
