import type { z } from 'zod';
import type { Services } from '../platform/services.js';
import { onlineEntitiesServed, onlineRequestDuration } from './metrics.js';
import { planLookup, readOnline } from './online.js';
import { pushRows } from './push.js';
import { loadRegistry } from './registry.js';
import { entityRowsFromColumns, type onlineRequestSchema, type pushRequestSchema, resolveFeatureRefs } from './requests.js';
import { featureStores } from './stores.js';

/**
 * The online read and the push as every entry point serves them (the HTTP functions and the
 * RPC handlers): one place for the registry lookup, the settings that bound a push, and the
 * request metrics.
 */

export async function serveOnlineRequest(services: Services, body: z.output<typeof onlineRequestSchema>): Promise<Awaited<ReturnType<typeof readOnline>>> {
  const stop = onlineRequestDuration.startTimer();
  const registry = await loadRegistry(services);
  const refs = resolveFeatureRefs(registry, body);
  const plans = planLookup(registry, refs);
  const entities = entityRowsFromColumns(plans, body.entities);
  const results = await readOnline(featureStores(services).online, plans, refs, entities, new Date());
  stop();
  onlineEntitiesServed.inc(entities.length);
  return results;
}

export async function servePush(services: Services, body: z.output<typeof pushRequestSchema>): Promise<Awaited<ReturnType<typeof pushRows>>> {
  const limits = { maxFutureSeconds: services.settings.ARBOR_FEATURE_MAX_FUTURE_SECONDS };
  return pushRows(featureStores(services), await loadRegistry(services), body, new Date(), limits);
}
