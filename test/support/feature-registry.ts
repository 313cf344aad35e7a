import { definitionsSchema, type Definitions, type FeatureRegistry, type FeatureViewDefinition } from '../../shared/features/definitions.js';
import type { ViewTags } from '../../shared/features/ports.js';
import { planApply } from '../../shared/features/registry.js';

const empty: FeatureRegistry = { entities: [], featureViews: [], featureServices: [] };

/**
 * Tags as the online store's binding hands them out on a fresh store (views counting in base 36
 * from 1, features from 0; what was held kept), for planning without Redis. Tests that read or
 * write through RedisOnlineStore get these bound on first use, as a registry from before
 * bindings lived in Redis would.
 */
function counterTags(before: FeatureRegistry): (view: FeatureViewDefinition) => ViewTags {
  let next = Math.max(0, ...before.featureViews.map((v) => parseInt(v.tag, 36))) + 1;
  return (view) => {
    const held = before.featureViews.find((v) => v.name === view.name);
    const tag = held?.tag ?? (next++).toString(36);
    const featureTags = { ...(held?.featureTags ?? {}) };
    let nextFeature = Object.keys(featureTags).length;
    for (const feature of view.features) featureTags[feature.name] ??= (nextFeature++).toString(36);
    return { tag, featureTags };
  };
}

/**
 * The registry that applying `definitions` onto `before` would store (tags, versions), built
 * by the registry's own planner without a database, for tests of the stores beneath it.
 */
export function plannedRegistry(definitions: unknown, before: FeatureRegistry = empty): FeatureRegistry {
  const parsed: Definitions = definitionsSchema.parse(definitions);
  const { writes } = planApply(before, parsed, counterTags(before));
  const registry: FeatureRegistry = {
    entities: before.entities.filter((e) => !writes.some((w) => w.kind === 'entity' && w.id === e.name)),
    featureViews: before.featureViews.filter((v) => !writes.some((w) => w.kind === 'featureView' && w.id === v.name)),
    featureServices: before.featureServices.filter((s) => !writes.some((w) => w.kind === 'featureService' && w.id === s.name)),
  };
  for (const document of writes) {
    if (document.kind === 'entity') {
      const { id: _id, kind: _kind, ...entity } = document;
      registry.entities.push(entity);
    } else if (document.kind === 'featureView') {
      const { id: _id, kind: _kind, ...view } = document;
      registry.featureViews.push(view);
    } else {
      const { id: _id, kind: _kind, ...service } = document;
      registry.featureServices.push(service);
    }
  }
  return registry;
}
