import { definitionsSchema, type Definitions, type FeatureRegistry } from '../../shared/features/definitions.js';
import { planApply } from '../../shared/features/registry.js';

const empty: FeatureRegistry = { entities: [], featureViews: [], featureServices: [] };

/**
 * The registry that applying `definitions` onto `before` would store (tags, versions), built
 * by the registry's own planner without a database, for tests of the stores beneath it.
 */
export function plannedRegistry(definitions: unknown, before: FeatureRegistry = empty): FeatureRegistry {
  const parsed: Definitions = definitionsSchema.parse(definitions);
  const { writes } = planApply(before, parsed);
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
