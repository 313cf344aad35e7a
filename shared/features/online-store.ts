import type { ChainableCommander, Redis } from 'ioredis';
import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { Entity, FeatureRegistry, FeatureView } from './definitions.js';
import { decodeValue, encodeValue, featureField, onlineKey, timestampField, type FeatureValue, type JoinKeyValue } from './online-layout.js';
import { onlineRowsWritten, onlineValuesServed } from './metrics.js';
import type { FeatureRow } from './rows.js';

/**
 * Writes one view's row into an entity hash unless the stored row of that view is as new or
 * newer, all in one script so concurrent writers cannot interleave. Expiry: a view with a TTL
 * keeps the key alive at least that long (never shortening another view's); a view without
 * one makes the key permanent. Returns 1 when written, 0 when skipped as older.
 * KEYS[1] hash; ARGV: ts field, event ms, expire ms (0 = none), n, n field/value pairs, fields to delete.
 */
const writeScript = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and tonumber(stored) >= tonumber(ARGV[2]) then return 0 end
local existed = redis.call('EXISTS', KEYS[1])
local n = tonumber(ARGV[4])
local args = {ARGV[1], ARGV[2]}
for i = 5, 4 + 2 * n do args[#args + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(args))
for i = 5 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local expire = tonumber(ARGV[3])
if expire == 0 then
  redis.call('PERSIST', KEYS[1])
elseif existed == 0 then
  redis.call('PEXPIRE', KEYS[1], expire)
else
  local left = redis.call('PTTL', KEYS[1])
  if left >= 0 and left < expire then redis.call('PEXPIRE', KEYS[1], expire) end
end
return 1`;

const commandName = 'arborFeatureWrite';
type WriteCommand = (key: string, ...args: string[]) => ChainableCommander;

/** Defines the script on the connection; pipelines made afterwards carry it. */
function writingPipeline(redis: Redis): ChainableCommander {
  if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 1, lua: writeScript });
  return redis.pipeline();
}

function writeCommand(pipeline: ChainableCommander): WriteCommand {
  const command = (pipeline as unknown as Record<string, WriteCommand>)[commandName];
  if (!command) throw new Error('the feature write script is not defined on this pipeline');
  return command.bind(pipeline);
}

const rowsPerRoundTrip = 1_000;

export interface OnlineWriteResult {
  written: number;
  /** Rows not written because the store already holds a row of that view at least as new. */
  older: number;
}

export async function writeOnline(services: Services, view: FeatureView, entity: Entity, rows: readonly FeatureRow[]): Promise<OnlineWriteResult> {
  const project = services.settings.ARBOR_FEATURE_PROJECT;
  const expireMs = String(view.ttlSeconds * 1000);
  const result: OnlineWriteResult = { written: 0, older: 0 };
  await callDependency('redis', async () => {
    for (let start = 0; start < rows.length; start += rowsPerRoundTrip) {
      const pipeline = writingPipeline(services.redis);
      const write = writeCommand(pipeline);
      for (const row of rows.slice(start, start + rowsPerRoundTrip)) {
        const set: string[] = [];
        const remove: string[] = [];
        for (const feature of view.features) {
          const value = row.values[feature.name];
          if (value === null || value === undefined) remove.push(featureField(view, feature.name));
          else set.push(featureField(view, feature.name), encodeValue(feature.type, value));
        }
        write(onlineKey(project, entity, row.keys), timestampField(view), String(row.eventTime.getTime()), expireMs, String(set.length / 2), ...set, ...remove);
      }
      for (const [error, reply] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        if (reply === 1) result.written++;
        else result.older++;
      }
    }
  });
  onlineRowsWritten.inc({ view: view.name, outcome: 'written' }, result.written);
  onlineRowsWritten.inc({ view: view.name, outcome: 'older' }, result.older);
  return result;
}

export type ValueStatus = 'present' | 'missing' | 'stale';

export interface OnlineResult {
  entity: Record<string, JoinKeyValue>;
  values: Record<string, FeatureValue>;
  status: Record<string, ValueStatus>;
}

/** Requested features grouped by the entity hash they live in. */
export interface EntityPlan {
  entity: Entity;
  views: Array<{ view: FeatureView; features: string[] }>;
}

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
 * Reads features for many entities: one HMGET per (entity row, entity hash), all in one
 * pipeline, so a request costs one round trip. Only the fields asked for are fetched.
 */
export async function readOnline(
  services: Services,
  plans: readonly EntityPlan[],
  refs: readonly string[],
  entityRows: ReadonlyArray<Record<string, JoinKeyValue>>,
  now: Date,
): Promise<OnlineResult[]> {
  const project = services.settings.ARBOR_FEATURE_PROJECT;
  // Fields, refs and types are the same for every entity row: worked out once per request.
  const layouts = plans.map((plan) => ({
    entity: plan.entity,
    fields: plan.views.flatMap(({ view, features }) => [timestampField(view), ...features.map((f) => featureField(view, f))]),
    views: plan.views.map(({ view, features }) => ({
      view,
      features: features.map((name) => ({ ref: `${view.name}:${name}`, type: view.features.find((f) => f.name === name)?.type ?? 'string' })),
    })),
  }));
  const pipeline = services.redis.pipeline();
  for (const row of entityRows) {
    for (const layout of layouts) pipeline.hmget(onlineKey(project, layout.entity, row), ...layout.fields);
  }
  const replies = await callDependency('redis', async () => (await pipeline.exec()) ?? []);
  const counts = new Map<string, Record<ValueStatus, number>>();
  let reply = 0;
  const results = entityRows.map((row) => {
    const result: OnlineResult = { entity: row, values: {}, status: {} };
    const found = new Map<string, { value: FeatureValue; status: ValueStatus }>();
    for (const layout of layouts) {
      const [error, raw] = replies[reply++] ?? [new Error('missing reply'), null];
      if (error) throw error;
      const fields = raw as Array<string | null>;
      let at = 0;
      for (const { view, features } of layout.views) {
        const stamp = fields[at++];
        const stale = stamp !== null && stamp !== undefined && view.ttlSeconds > 0 && now.getTime() - Number(stamp) > view.ttlSeconds * 1000;
        const tally = counts.get(view.name) ?? { present: 0, missing: 0, stale: 0 };
        counts.set(view.name, tally);
        for (const { ref, type } of features) {
          const value = fields[at++];
          const status: ValueStatus = value === null || value === undefined || stamp === null ? 'missing' : stale ? 'stale' : 'present';
          tally[status]++;
          found.set(ref, { value: status === 'present' ? decodeValue(type, value as string) : null, status });
        }
      }
    }
    // Answer in the order the features were asked for.
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
