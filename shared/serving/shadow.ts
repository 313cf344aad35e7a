import { performance } from 'node:perf_hooks';
import type { Services } from '../platform/services.js';
import type { Endpoint } from './endpoints.js';
import { shadowAgreement, shadowRequests, shadowScorePsi } from './metrics.js';
import { getModelVersion } from './registry.js';
import type { PredictRequest } from './requests.js';
import { scoreVersion } from './score.js';
import { readShadowWindow, recordShadowComparison } from './window.js';

/**
 * The shadow: a model version that sees a share of an endpoint's requests after they have been
 * answered, never in their way. Its scores are compared with the answer's, row for row, into
 * the shared window (agreement, score PSI) and exported; they are never returned to anyone.
 */
const gaugeRefreshMs = 10_000;
const gaugesRefreshedAt = new Map<string, number>();
/** The window the exported gauges summarise. */
export const shadowGaugeWindowSeconds = 300;

export async function runShadow(services: Services, endpoint: Endpoint, request: PredictRequest, primaryScores: readonly number[], now: Date): Promise<void> {
  const shadow = endpoint.shadow;
  if (!shadow) return;
  const started = performance.now();
  let shadowScores: number[] = [];
  let ok = true;
  try {
    const version = await getModelVersion(services, shadow.model, shadow.version);
    if (!version) throw new Error(`shadow ${shadow.model}:${shadow.version} is not registered`);
    shadowScores = (await scoreVersion(services, version, request, now, endpoint.name)).scores;
  } catch {
    ok = false;
  }
  shadowRequests.inc({ endpoint: endpoint.name, outcome: ok ? 'ok' : 'error' });
  await recordShadowComparison(services.redis, { endpoint: endpoint.name, latencyMs: performance.now() - started, ok, shadowScores, primaryScores });
  const last = gaugesRefreshedAt.get(endpoint.name) ?? 0;
  if (Date.now() - last >= gaugeRefreshMs) {
    gaugesRefreshedAt.set(endpoint.name, Date.now());
    const window = await readShadowWindow(services.redis, endpoint.name, shadowGaugeWindowSeconds);
    if (window.agreementRate !== undefined) shadowAgreement.set({ endpoint: endpoint.name }, window.agreementRate);
    if (window.scorePsi !== undefined) shadowScorePsi.set({ endpoint: endpoint.name }, window.scorePsi);
  }
}
