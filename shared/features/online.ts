import type { Entity, FeatureRegistry, FeatureView } from './definitions.js';
import { onlineRowsWritten, onlineValuesServed } from './metrics.js';
import type { FeatureValue, JoinKeyValue } from './online-layout.js';
import type { OnlineLookup, OnlineStore, OnlineWriteResult } from './ports.js';
import type { FeatureRow } from './rows.js';

/**
 * The online store's rules over its port: which features live in which entity's row, when a
 * stored value is too old to serve, and what each lookup counts.
 */
export type ValueStatus = 'present' | 'missing' | 'stale';

export interface OnlineResult {
  entity: Record<string, JoinKeyValue>;
  values: Record<string, FeatureValue>;
  status: Record<string, ValueStatus>;
}

/** Requested features grouped by the entity they are keyed by. */
export interface EntityPlan {
  entity: Entity;
  views: Array<{ view: FeatureView; features: string[] }>;
}

/** Groups `view:feature` refs (already checked against the registry) by entity, then view. */
export function planLookup(registry: FeatureRegistry, refs: readonly string[]): EntityPlan[] {
  const plans = new Map<string, EntityPlan>();
  for (const ref of refs) {
    const [viewName, feature] = ref.split(':') as [string, string];
    const view = registry.featureViews.find((v) => v.name === viewName) as FeatureView;
    const entity = registry.entities.find((e) => e.name === view.entity) as Entity;
    const plan = plans.get(entity.name) ?? { entity, views: [] };
    plans.set(entity.name, plan);
    const group = plan.views.find((g) => g.view.name === view.name) ?? { view, features: [] };
    if (!plan.views.includes(group)) plan.views.push(group);
    group.features.push(feature);
  }
  return [...plans.values()];
}

/**
 * A view's TTL is in seconds and counts from the row's event time: a value exactly TTL old is
 * still served, one a millisecond older is not. A TTL of 0 never goes stale.
 */
export function isStale(view: Pick<FeatureView, 'ttlSeconds'>, eventTime: number, now: Date): boolean {
  return view.ttlSeconds > 0 && now.getTime() - eventTime > view.ttlSeconds * 1000;
}

export async function writeOnline(store: OnlineStore, view: FeatureView, entity: Entity, rows: readonly FeatureRow[]): Promise<OnlineWriteResult> {
  const result = await store.write(view, entity, rows);
  onlineRowsWritten.inc({ view: view.name, outcome: 'written' }, result.written);
  onlineRowsWritten.inc({ view: view.name, outcome: 'older' }, result.older);
  return result;
}

/** Features for many entities in one round trip; each value `present`, `missing` or `stale`, in the order asked. */
export async function readOnline(
  store: OnlineStore,
  plans: readonly EntityPlan[],
  refs: readonly string[],
  entityRows: ReadonlyArray<Record<string, JoinKeyValue>>,
  now: Date,
): Promise<OnlineResult[]> {
  const lookups: OnlineLookup[] = entityRows.flatMap((keys) => plans.map((plan) => ({ entity: plan.entity, keys, views: plan.views })));
  const stored = await store.read(lookups);
  // The same for every entity row: worked out once per request.
  const planRefs = plans.map((plan) => plan.views.map(({ view, features }) => features.map((feature) => `${view.name}:${feature}`)));
  const counts = new Map<string, Record<ValueStatus, number>>();
  let next = 0;
  const results = entityRows.map((keys) => {
    const found = new Map<string, { value: FeatureValue; status: ValueStatus }>();
    plans.forEach((plan, planIndex) => {
      const rows = stored[next++] ?? [];
      plan.views.forEach(({ view, features }, index) => {
        const viewRefs = planRefs[planIndex]?.[index] ?? [];
        const row = rows[index];
        const stale = row?.eventTime !== undefined && isStale(view, row.eventTime, now);
        const tally = counts.get(view.name) ?? { present: 0, missing: 0, stale: 0 };
        counts.set(view.name, tally);
        features.forEach((_feature, position) => {
          const value = row?.values[position] ?? null;
          const status: ValueStatus = value === null || row?.eventTime === undefined ? 'missing' : stale ? 'stale' : 'present';
          tally[status]++;
          found.set(viewRefs[position] as string, { value: status === 'present' ? value : null, status });
        });
      });
    });
    const result: OnlineResult = { entity: keys, values: {}, status: {} };
    for (const ref of refs) {
      const entry = found.get(ref) ?? { value: null, status: 'missing' as const };
      result.values[ref] = entry.value;
      result.status[ref] = entry.status;
    }
    return result;
  });
  for (const [view, tally] of counts) {
    for (const status of ['present', 'missing', 'stale'] as const) onlineValuesServed.inc({ view, status }, tally[status]);
  }
  return results;
}
