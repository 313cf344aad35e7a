import { z } from 'zod';
import { NotFoundError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { servingName, shadowSchema, variantSchema, type EndpointSpec } from './definitions.js';
import { getModel, getModelVersion } from './registry.js';

/**
 * Endpoints (Cosmos DB): a name, weighted variants (each a model version), an optional shadow.
 * A PUT replaces the whole endpoint after every variant and the shadow are checked; a rollout
 * changes weights the same way. Predict reads an endpoint at most once a second per instance.
 */
export const servingEndpointsContainer: ContainerDefinition = { id: 'serving-endpoints', partitionKey: '/name' };

const endpointDocument = z.object({
  id: servingName,
  name: servingName,
  variants: z.array(variantSchema),
  shadow: shadowSchema.optional(),
  description: z.string().optional(),
  /** 1 at creation, +1 per change. */
  revision: z.number().int().positive(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type Endpoint = Omit<z.output<typeof endpointDocument>, 'id'>;

const endpoints = (services: Services) => cosmosRepository(services.cosmos, servingEndpointsContainer, endpointDocument);

/** Every variant and the shadow name a registered version; faults only where the setting allows them. */
export async function endpointProblems(services: Services, spec: EndpointSpec): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const check = async (field: string, model: string, version: number) => {
    if (!(await getModel(services, model))) problems.push({ field: `${field}.model`, problem: `model "${model}" is not registered` });
    else if (!(await getModelVersion(services, model, version))) problems.push({ field: `${field}.version`, problem: `model "${model}" has no version ${version}` });
  };
  for (const [i, variant] of spec.variants.entries()) {
    await check(`variants[${i}]`, variant.model, variant.version);
    if (variant.faults && services.settings.ARBOR_SERVING_ALLOW_FAULTS !== 'true') {
      problems.push({ field: `variants[${i}].faults`, problem: 'fault injection is off on this app (ARBOR_SERVING_ALLOW_FAULTS=true turns it on, for tests and demos only)' });
    }
  }
  if (spec.shadow) await check('shadow', spec.shadow.model, spec.shadow.version);
  return problems;
}

/** Creates or replaces an endpoint: a 400 naming every unknown model or version, and nothing changed. */
export async function putEndpoint(services: Services, name: string, spec: EndpointSpec, now = new Date()): Promise<{ endpoint: Endpoint; created: boolean }> {
  const problems = await endpointProblems(services, spec);
  if (problems.length) throw new ValidationError(problems);
  const repository = endpoints(services);
  for (let attempt = 0; ; attempt++) {
    const stored = await repository.readWithEtag(name, name);
    const endpoint: Endpoint = {
      name,
      variants: spec.variants,
      ...(spec.shadow ? { shadow: spec.shadow } : {}),
      ...(spec.description === undefined ? {} : { description: spec.description }),
      revision: (stored?.document.revision ?? 0) + 1,
      createdAt: stored?.document.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      if (stored) await repository.replace({ id: name, ...endpoint }, name, stored.etag);
      else await repository.create({ id: name, ...endpoint });
      cache.delete(cacheKey(services, name));
      return { endpoint, created: !stored };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt < 5 && (code === 409 || code === 412)) continue;
      throw error;
    }
  }
}

const cacheMs = 1_000;
const cache = new Map<string, { at: number; endpoint: Promise<Endpoint | undefined> }>();
const cacheKey = (services: Services, name: string) => `${services.settings.COSMOS_DATABASE}/${name}`;

/** `fresh` skips the per-instance cache (reads for the API; predict accepts a second's staleness). */
export async function getEndpoint(services: Services, name: string, options: { fresh?: boolean } = {}): Promise<Endpoint | undefined> {
  const key = cacheKey(services, name);
  const hit = cache.get(key);
  if (!options.fresh && hit && Date.now() - hit.at < cacheMs) return hit.endpoint;
  const endpoint = (async () => {
    const document = await endpoints(services).read(name, name);
    if (!document) return undefined;
    const { id: _id, ...rest } = document;
    return rest;
  })();
  cache.set(key, { at: Date.now(), endpoint });
  endpoint.catch(() => cache.delete(key));
  return endpoint;
}

export async function requireEndpoint(services: Services, name: string, options: { fresh?: boolean } = {}): Promise<Endpoint> {
  const endpoint = await getEndpoint(services, name, options);
  if (!endpoint) throw new NotFoundError('endpoint', name);
  return endpoint;
}

export async function listEndpoints(services: Services): Promise<Endpoint[]> {
  return (await endpoints(services).query('SELECT * FROM c ORDER BY c.name')).map(({ id: _id, ...rest }) => rest);
}


