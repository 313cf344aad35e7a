import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ArborError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import {
  entitySchema,
  featureServiceSchema,
  featureViewSchema,
  splitFeatureRef,
  type Definitions,
  type Entity,
  type EntityDefinition,
  type FeatureRegistry,
  type FeatureService,
  type FeatureView,
  type FeatureViewDefinition,
} from './definitions.js';
import type { OnlineStore, TagRequest, ViewTags } from './ports.js';
import { UnknownViewError, unknownViewDetail } from './errors.js';
import { RefreshingCache } from '../platform/refreshing-cache.js';

/** Entities, views and services, one document each, partitioned by kind (three small partitions). */
export const featureRegistryContainer: ContainerDefinition = { id: 'feature-registry', partitionKey: '/kind' };

const version = z.number().int().positive();
/** Stored definitions: the definition as applied, its version, and for a view its online tags. */
const registryDocument = z.discriminatedUnion('kind', [
  z.object({ ...entitySchema.shape, id: z.string(), kind: z.literal('entity'), version }),
  z.object({
    ...featureViewSchema.shape,
    id: z.string(),
    kind: z.literal('featureView'),
    version,
    tag: z.string().regex(/^[0-9a-z]+$/),
    featureTags: z.record(z.string(), z.string().regex(/^[0-9a-z]+$/)),
  }),
  z.object({ ...featureServiceSchema.shape, id: z.string(), kind: z.literal('featureService'), version }),
]);
type RegistryDocument = z.output<typeof registryDocument>;

const registryDocuments = (services: Services) => cosmosRepository(services.cosmos, featureRegistryContainer, registryDocument);

/** A schema change that would make stored rows or online fields mean something else. */
export class IncompatibleChangeError extends ArborError {
  constructor(readonly problems: ErrorDetail[]) {
    super(409, 'incompatible_change', `${problems.length} incompatible change(s): ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, problems);
  }
}

export interface ApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Applies a set of definitions against what is stored. Every problem is reported at once
 * (400), incompatible schema changes are refused (409), and on either nothing is written.
 * Online tags are the ones the online store binds (issue 19): the registry keeps a copy.
 */
export async function applyDefinitions(services: Services, online: Pick<OnlineStore, 'bindTags'>, definitions: Definitions): Promise<ApplyResult> {
  const stored = await loadRegistry(services, { fresh: true });
  // Checked first: invalid definitions bind nothing in the online store either.
  checkDefinitions(stored, definitions);
  const requests = tagRequests(stored, definitions);
  const bound = await online.bindTags(requests);
  const tags = new Map(requests.map((request, index) => [request.view, bound[index] as ViewTags]));
  const plan = planApply(stored, definitions, (view) => tags.get(view.name) as ViewTags);
  const documents = registryDocuments(services);
  // Entities before the views that name them, views before the services that name theirs.
  for (const document of plan.writes) await documents.upsert(document);
  cache.delete(services.settings.COSMOS_DATABASE);
  return plan.result;
}

/**
 * What applying `definitions` would do, writing nothing (`POST features/registry?dryRun=true`):
 * the same checks (400, 409) and the same plan. Binding tags would write to the online store,
 * so a defined view is compared with the tags the registry holds for it; a new view gets none
 * (it is created whatever they are). A store that lost a stored view's binding would make a
 * real apply rewrite that view with the re-bound tags: the plan calls it unchanged.
 */
export async function planDefinitions(services: Services, definitions: Definitions): Promise<ApplyResult> {
  const stored = await loadRegistry(services, { fresh: true });
  const storedTags = (view: FeatureViewDefinition): ViewTags => {
    const before = stored.featureViews.find((v) => v.name === view.name);
    return before ? { tag: before.tag, featureTags: before.featureTags } : { tag: '', featureTags: {} };
  };
  return planApply(stored, definitions, storedTags).result;
}

/**
 * What to ask the online store to bind: every stored view with the tags it holds (so a store
 * that lost its bindings, or never had them, takes those first and hands none of them to a new
 * view), then every view defined, with its stored tags if any.
 */
function tagRequests(stored: FeatureRegistry, definitions: Definitions): TagRequest[] {
  const defined = new Set(definitions.featureViews.map((v) => v.name));
  const keep = stored.featureViews
    .filter((v) => !defined.has(v.name))
    .map((v) => ({ view: v.name, features: v.features.map((f) => f.name), proposed: { tag: v.tag, featureTags: v.featureTags } }));
  const apply = definitions.featureViews.map((view) => {
    const before = stored.featureViews.find((v) => v.name === view.name);
    return { view: view.name, features: view.features.map((f) => f.name), ...(before ? { proposed: { tag: before.tag, featureTags: before.featureTags } } : {}) };
  });
  return [...keep, ...apply];
}

/** Every problem of a set of definitions against what is stored, at once: 400, or 409 for incompatible changes. */
export function checkDefinitions(stored: FeatureRegistry, definitions: Definitions): void {
  const problems: ErrorDetail[] = [];
  const incompatible: ErrorDetail[] = [];
  const duplicates = (kind: string, names: string[]) =>
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) problems.push({ field: `${kind}[${i}].name`, problem: `"${n}" is defined more than once` });
    });
  duplicates('entities', definitions.entities.map((e) => e.name));
  duplicates('featureViews', definitions.featureViews.map((v) => v.name));
  duplicates('featureServices', definitions.featureServices.map((s) => s.name));

  const entities = new Map<string, EntityDefinition>(stored.entities.map((e) => [e.name, e]));
  definitions.entities.forEach((entity, i) => {
    const before = stored.entities.find((e) => e.name === entity.name);
    if (before && !isDeepStrictEqual(before.joinKeys, entity.joinKeys)) {
      incompatible.push({ field: `entities[${i}].joinKeys`, problem: `cannot change from ${JSON.stringify(before.joinKeys)}: stored rows and online keys use them` });
    }
    const keyNames = entity.joinKeys.map((k) => k.name);
    keyNames.forEach((k, j) => {
      if (keyNames.indexOf(k) !== j) problems.push({ field: `entities[${i}].joinKeys[${j}].name`, problem: `"${k}" is listed twice` });
    });
    entities.set(entity.name, entity);
  });

  const views = new Map<string, FeatureViewDefinition>(stored.featureViews.map((v) => [v.name, v]));
  definitions.featureViews.forEach((view, i) => {
    const entity = entities.get(view.entity);
    if (!entity) problems.push({ field: `featureViews[${i}].entity`, problem: `"${view.entity}" is not a defined entity` });
    const keyNames = new Set(entity?.joinKeys.map((k) => k.name));
    const featureNames = view.features.map((f) => f.name);
    view.features.forEach((feature, j) => {
      const field = `featureViews[${i}].features[${j}]`;
      if (featureNames.indexOf(feature.name) !== j) problems.push({ field: `${field}.name`, problem: `"${feature.name}" is listed twice` });
      if (keyNames.has(feature.name)) problems.push({ field: `${field}.name`, problem: `"${feature.name}" is a join key of ${view.entity}` });
      if (feature.dimension !== undefined && feature.type !== 'float_vector') {
        problems.push({ field: `${field}.dimension`, problem: 'applies to float_vector features only' });
      }
    });
    const before = stored.featureViews.find((v) => v.name === view.name);
    if (before) {
      if (before.entity !== view.entity) {
        incompatible.push({ field: `featureViews[${i}].entity`, problem: `cannot change from "${before.entity}"` });
      }
      for (const old of before.features) {
        const now = view.features.find((f) => f.name === old.name);
        if (!now) incompatible.push({ field: `featureViews[${i}].features`, problem: `drops "${old.name}": stored rows have it; define a new view instead` });
        else if (now.type !== old.type || now.dimension !== old.dimension) {
          incompatible.push({
            field: `featureViews[${i}].features[${view.features.indexOf(now)}].type`,
            problem: `cannot change "${old.name}" from ${old.type}${old.dimension ? `(${old.dimension})` : ''} to ${now.type}${now.dimension ? `(${now.dimension})` : ''}`,
          });
        }
      }
    }
    views.set(view.name, view);
  });

  definitions.featureServices.forEach((service, i) => {
    service.features.forEach((ref, j) => {
      const { view, feature } = splitFeatureRef(ref);
      const target = views.get(view);
      if (!target) problems.push({ field: `featureServices[${i}].features[${j}]`, problem: `view "${view}" is not defined` });
      else if (!target.features.some((f) => f.name === feature)) {
        problems.push({ field: `featureServices[${i}].features[${j}]`, problem: `view "${view}" has no feature "${feature}"` });
      }
    });
  });

  if (problems.length) throw new ValidationError(problems);
  if (incompatible.length) throw new IncompatibleChangeError(incompatible);
}

/**
 * The documents to write for definitions checked against what is stored; a view's online tags
 * are `tagsOf(view)` (the online store's binding), and a view whose stored tags differ from
 * them is rewritten with them.
 */
export function planApply(
  stored: FeatureRegistry,
  definitions: Definitions,
  tagsOf: (view: FeatureViewDefinition) => ViewTags,
): { writes: RegistryDocument[]; result: ApplyResult } {
  checkDefinitions(stored, definitions);
  const result: ApplyResult = { created: [], updated: [], unchanged: [] };
  const writes: RegistryDocument[] = [];
  const note = (label: string, before: { version: number } | undefined, same: boolean): number | undefined => {
    if (!before) result.created.push(label);
    else if (same) result.unchanged.push(label);
    else result.updated.push(label);
    return same && before ? undefined : (before?.version ?? 0) + 1;
  };
  for (const entity of definitions.entities) {
    const before = stored.entities.find((e) => e.name === entity.name);
    const version = note(`entity:${entity.name}`, before, !!before && isDeepStrictEqual(strip(before), entity));
    if (version) writes.push({ id: entity.name, kind: 'entity', ...entity, version });
  }
  for (const view of definitions.featureViews) {
    const before = stored.featureViews.find((v) => v.name === view.name);
    const bound = tagsOf(view);
    const tags = { tag: bound.tag, featureTags: Object.fromEntries(view.features.map((f) => [f.name, bound.featureTags[f.name] as string])) };
    const version = note(`featureView:${view.name}`, before, !!before && isDeepStrictEqual(strip(before), { ...view, ...tags }));
    if (version) writes.push({ id: view.name, kind: 'featureView', ...view, ...tags, version });
  }
  for (const service of definitions.featureServices) {
    const before = stored.featureServices.find((s) => s.name === service.name);
    const version = note(`featureService:${service.name}`, before, !!before && isDeepStrictEqual(strip(before), service));
    if (version) writes.push({ id: service.name, kind: 'featureService', ...service, version });
  }
  return { writes, result };
}

function strip<T extends { version: number }>(stored: T): Omit<T, 'version'> {
  const { version: _version, ...rest } = stored;
  return rest;
}

/**
 * Reads are served from memory: an online request should not wait for a registry query (a
 * full scan, the p99 of online reads when it was on the request path). A copy older than
 * `registryRefreshMs` is still served while one background read replaces it, so another
 * instance's apply is visible here within registryRefreshMs plus one read. A copy older than
 * `registryMaxStaleMs` (refreshes failing: Cosmos down) is not served: the request waits for a
 * read and gets its error. An apply on this instance is visible at once.
 */
export const registryRefreshMs = 5_000;
export const registryMaxStaleMs = 60_000;

const cache = new RefreshingCache<FeatureRegistry>({ refreshMs: registryRefreshMs, maxStaleMs: registryMaxStaleMs, maxEntries: 1_000 });

export async function loadRegistry(services: Services, options: { fresh?: boolean } = {}): Promise<FeatureRegistry> {
  const database = services.settings.COSMOS_DATABASE;
  if (!options.fresh) return cache.get(database, () => readRegistry(services));
  const registry = await readRegistry(services);
  cache.set(database, registry);
  return registry;
}

async function readRegistry(services: Services): Promise<FeatureRegistry> {
  const documents = await registryDocuments(services).query('SELECT * FROM c');
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const entities: Entity[] = [];
  const featureViews: FeatureView[] = [];
  const featureServices: FeatureService[] = [];
  for (const document of documents) {
    if (document.kind === 'entity') {
      const { id: _id, kind: _kind, ...entity } = document;
      entities.push(entity);
    } else if (document.kind === 'featureView') {
      const { id: _id, kind: _kind, ...view } = document;
      featureViews.push(view);
    } else {
      const { id: _id, kind: _kind, ...service } = document;
      featureServices.push(service);
    }
  }
  return { entities: entities.sort(byName), featureViews: featureViews.sort(byName), featureServices: featureServices.sort(byName) };
}

export interface ResolvedView {
  view: FeatureView;
  entity: Entity;
}

/** A view and its entity, or undefined when either is not registered. */
export function resolveView(registry: FeatureRegistry, name: string): ResolvedView | undefined {
  const view = registry.featureViews.find((v) => v.name === name);
  const entity = view && registry.entities.find((e) => e.name === view.entity);
  return view && entity ? { view, entity } : undefined;
}

/** A view named in a request's field (`view` unless told): 404 `unknown_view` naming that field when it is not registered. */
export function requireView(registry: FeatureRegistry, name: string, field = 'view'): ResolvedView {
  const resolved = resolveView(registry, name);
  if (!resolved) throw new UnknownViewError([unknownViewDetail(field, name)]);
  return resolved;
}
