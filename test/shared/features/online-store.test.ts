import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Entity, FeatureRegistry, FeatureView } from '../../../shared/features/definitions.js';
import { isStale, planLookup, readOnline, writeOnline } from '../../../shared/features/online.js';
import type { OnlineStore } from '../../../shared/features/ports.js';
import { RedisOnlineStore } from '../../../shared/features/redis-online-store.js';
import { rowSchema, type FeatureRow } from '../../../shared/features/rows.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { deleteRedisPrefix, redisClient } from '../../support/clients.js';
import { plannedRegistry } from '../../support/feature-registry.js';

const suffix = randomUUID().slice(0, 8);
const prefix = `features-online-${suffix}:`;
const project = 'unit';
const hour = 3_600_000;
/** One fixed "now", so every age below is exact to the millisecond. */
const now = new Date('2026-06-01T12:00:00.000Z');

let services: Services;
let store: OnlineStore;
let registry: FeatureRegistry;
const raw = redisClient();

const definitions = {
  entities: [
    { name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] },
    { name: 'route', joinKeys: [{ name: 'city', type: 'string' }, { name: 'route_id', type: 'int64' }] },
  ],
  featureViews: [
    {
      name: 'driver_stats',
      entity: 'driver',
      ttlSeconds: 3600,
      features: [
        { name: 'trips', type: 'int64' },
        { name: 'rating', type: 'float64' },
        { name: 'active', type: 'bool' },
        { name: 'embedding', type: 'float_vector', dimension: 2 },
      ],
    },
    { name: 'driver_profile', entity: 'driver', ttlSeconds: 0, features: [{ name: 'city', type: 'string' }] },
    { name: 'driver_daily', entity: 'driver', ttlSeconds: 86_400, features: [{ name: 'km', type: 'float64' }] },
    { name: 'route_stats', entity: 'route', ttlSeconds: 60, features: [{ name: 'eta', type: 'int64' }] },
  ],
};

function resolved(name: string): { view: FeatureView; entity: Entity } {
  const view = registry.featureViews.find((v) => v.name === name) as FeatureView;
  return { view, entity: registry.entities.find((e) => e.name === view.entity) as Entity };
}

/** Rows as a caller sends them, parsed by the view's own row schema. */
function rows(viewName: string, input: Array<Record<string, unknown>>): FeatureRow[] {
  const { view, entity } = resolved(viewName);
  const schema = rowSchema(view, entity);
  return input.map((row) => schema.parse(row));
}

async function write(viewName: string, input: Array<Record<string, unknown>>) {
  const { view, entity } = resolved(viewName);
  return writeOnline(store, view, entity, rows(viewName, input));
}

async function read(refs: string[], entities: Array<Record<string, string | number>>, at = now) {
  return readOnline(store, planLookup(registry, refs), refs, entities, at);
}

const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

beforeAll(() => {
  const env = inject('arborEnv');
  services = createServices(parseSettings({ ...env, COSMOS_DATABASE: `features-online-${suffix}`, REDIS_KEY_PREFIX: prefix, ARBOR_FEATURE_PROJECT: project }));
  store = new RedisOnlineStore(services.redis, project);
  registry = plannedRegistry(definitions);
});
afterAll(async () => {
  await deleteRedisPrefix(raw, prefix);
  raw.disconnect();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('TTL, in seconds from the event time', () => {
  it('serves a value exactly TTL old and one a second younger, and marks one a second older stale', async () => {
    await write('driver_stats', [
      { driver_id: 1, event_timestamp: ago(3600_000), trips: 10 },
      { driver_id: 2, event_timestamp: ago(3599_000), trips: 20 },
      { driver_id: 3, event_timestamp: ago(3601_000), trips: 30 },
    ]);
    const results = await read(['driver_stats:trips'], [{ driver_id: 1 }, { driver_id: 2 }, { driver_id: 3 }]);
    expect(results.map((r) => [r.status['driver_stats:trips'], r.values['driver_stats:trips']])).toEqual([
      ['present', 10],
      ['present', 20],
      ['stale', null],
    ]);
  });

  it('draws the line at the millisecond: TTL plus 1 ms is stale; a TTL of 0 never is', () => {
    const event = now.getTime() - 3600_000;
    expect(isStale({ ttlSeconds: 3600 }, event, now)).toBe(false);
    expect(isStale({ ttlSeconds: 3600 }, event - 1, now)).toBe(true);
    expect(isStale({ ttlSeconds: 3600 }, event + 1, now)).toBe(false);
    expect(isStale({ ttlSeconds: 0 }, now.getTime() - 20 * 365 * 86_400_000, now)).toBe(false);
    // A value written "in the future" (a clock ahead) is fresh, not negative-aged stale.
    expect(isStale({ ttlSeconds: 1 }, now.getTime() + 60_000, now)).toBe(false);
  });

  it('keeps each view of one entity to its own TTL, and a view without TTL forever', async () => {
    await write('driver_profile', [{ driver_id: 4, event_timestamp: ago(10 * 365 * 24 * hour), city: 'Oslo' }]);
    await write('driver_daily', [{ driver_id: 4, event_timestamp: ago(2 * hour), km: 12.5 }]);
    await write('driver_stats', [{ driver_id: 4, event_timestamp: ago(2 * hour), trips: 7 }]);
    const [result] = await read(['driver_stats:trips', 'driver_profile:city', 'driver_daily:km'], [{ driver_id: 4 }]);
    expect(result?.status).toEqual({ 'driver_stats:trips': 'stale', 'driver_profile:city': 'present', 'driver_daily:km': 'present' });
    expect(result?.values).toEqual({ 'driver_stats:trips': null, 'driver_profile:city': 'Oslo', 'driver_daily:km': 12.5 });
  });

  it('sets key expiry in milliseconds from the TTL in seconds, never shortening a longer one, and a view without TTL makes it permanent', async () => {
    const key = `${prefix}f:${project}:route:Bergen:9`;
    await write('route_stats', [{ city: 'Bergen', route_id: 9, event_timestamp: ago(0), eta: 5 }]);
    const first = await raw.pttl(key);
    expect(first).toBeGreaterThan(59_000);
    expect(first).toBeLessThanOrEqual(60_000);

    const driverKey = `${prefix}f:${project}:driver:5`;
    await write('driver_daily', [{ driver_id: 5, event_timestamp: ago(0), km: 1 }]);
    await write('driver_stats', [{ driver_id: 5, event_timestamp: ago(0), trips: 1 }]);
    const kept = await raw.pttl(driverKey);
    expect(kept).toBeGreaterThan(86_399_000);
    expect(kept).toBeLessThanOrEqual(86_400_000);
    await write('driver_profile', [{ driver_id: 5, event_timestamp: ago(0), city: 'Lima' }]);
    expect(await raw.pttl(driverKey)).toBe(-1);
  });
});

describe('newer rows win', () => {
  it('keeps the first row of an event time: an equal time is not newer, an older one is skipped, a newer one replaces', async () => {
    const at = ago(60_000);
    expect(await write('driver_stats', [{ driver_id: 10, event_timestamp: at, trips: 1 }])).toEqual({ written: 1, older: 0 });
    expect(await write('driver_stats', [{ driver_id: 10, event_timestamp: at, trips: 2 }])).toEqual({ written: 0, older: 1 });
    expect((await read(['driver_stats:trips'], [{ driver_id: 10 }]))[0]?.values['driver_stats:trips']).toBe(1);

    expect(await write('driver_stats', [{ driver_id: 10, event_timestamp: ago(120_000), trips: 3 }])).toEqual({ written: 0, older: 1 });
    expect(await write('driver_stats', [{ driver_id: 10, event_timestamp: ago(59_999), trips: 4 }])).toEqual({ written: 1, older: 0 });
    expect((await read(['driver_stats:trips'], [{ driver_id: 10 }]))[0]?.values['driver_stats:trips']).toBe(4);
  });

  it('resolves ties within one batch the same way: the first of an event time wins', async () => {
    const at = ago(30_000);
    const result = await write('driver_stats', [
      { driver_id: 11, event_timestamp: at, trips: 1 },
      { driver_id: 11, event_timestamp: at, trips: 2 },
    ]);
    expect(result).toEqual({ written: 1, older: 1 });
    expect((await read(['driver_stats:trips'], [{ driver_id: 11 }]))[0]?.values['driver_stats:trips']).toBe(1);
  });

  it('orders event times before 1970 and across the millisecond correctly', async () => {
    expect(await write('driver_profile', [{ driver_id: 12, event_timestamp: '1969-12-31T23:59:59.998Z', city: 'a' }])).toEqual({ written: 1, older: 0 });
    expect(await write('driver_profile', [{ driver_id: 12, event_timestamp: '1969-12-31T23:59:59.999Z', city: 'b' }])).toEqual({ written: 1, older: 0 });
    expect(await write('driver_profile', [{ driver_id: 12, event_timestamp: '1969-12-31T23:59:59.997Z', city: 'c' }])).toEqual({ written: 0, older: 1 });
    expect(await raw.hget(`${prefix}f:${project}:driver:12`, `${resolved('driver_profile').view.tag}.t`)).toBe('-1');
    expect((await read(['driver_profile:city'], [{ driver_id: 12 }]))[0]?.values['driver_profile:city']).toBe('b');
  });
});

describe('the on-wire layout (docs/features.md "Online store")', () => {
  it('stores one hash per entity key, fields <viewTag>.<featureTag> and <viewTag>.t, values as documented', async () => {
    const stats = resolved('driver_stats').view;
    expect(stats.tag).toBe('1');
    expect(stats.featureTags).toEqual({ trips: '0', rating: '1', active: '2', embedding: '3' });
    expect(['driver_profile', 'driver_daily', 'route_stats'].map((name) => resolved(name).view.tag)).toEqual(['2', '3', '4']);

    await write('driver_stats', [{ driver_id: 20, event_timestamp: '2026-06-01T11:30:00.123+02:00', trips: 17, rating: 4.5, active: false, embedding: [0.25, -1] }]);
    expect(await raw.hgetall(`${prefix}f:${project}:driver:20`)).toEqual({
      '1.t': String(Date.parse('2026-06-01T09:30:00.123Z')),
      '1.0': '17',
      '1.1': '4.5',
      '1.2': '0',
      '1.3': '[0.25,-1]',
    });
    const [result] = await read(['driver_stats:embedding', 'driver_stats:active', 'driver_stats:rating'], [{ driver_id: 20 }], new Date('2026-06-01T10:00:00Z'));
    expect(result?.values).toEqual({ 'driver_stats:embedding': [0.25, -1], 'driver_stats:active': false, 'driver_stats:rating': 4.5 });
  });

  it('removes a feature written as null, and reads a feature never written as missing', async () => {
    await write('driver_stats', [{ driver_id: 21, event_timestamp: ago(2000), trips: 1, rating: 2 }]);
    await write('driver_stats', [{ driver_id: 21, event_timestamp: ago(1000), trips: 3, rating: null }]);
    expect(await raw.hgetall(`${prefix}f:${project}:driver:21`)).toEqual({ '1.t': String(now.getTime() - 1000), '1.0': '3' });
    const [result] = await read(['driver_stats:trips', 'driver_stats:rating', 'driver_stats:active'], [{ driver_id: 21 }]);
    expect(result?.status).toEqual({ 'driver_stats:trips': 'present', 'driver_stats:rating': 'missing', 'driver_stats:active': 'missing' });
  });

  it('encodes string keys so a ":" cannot reach another entity, and orders composite keys as the entity declares them', async () => {
    await write('route_stats', [{ route_id: 1, city: 'a:1', event_timestamp: ago(0), eta: 9 }]);
    expect(await raw.exists(`${prefix}f:${project}:route:a%3A1:1`)).toBe(1);
    expect(await raw.exists(`${prefix}f:${project}:route:a:1:1`)).toBe(0);
    const [hit, miss] = await read(['route_stats:eta'], [{ city: 'a:1', route_id: 1 }, { city: 'a', route_id: 1 }]);
    expect(hit?.values['route_stats:eta']).toBe(9);
    expect(miss?.status['route_stats:eta']).toBe('missing');
  });
});

describe('int64 and timestamp edges', () => {
  it('returns int64 within 2^53 as numbers and beyond it as exact decimal strings, to the ends of the range', async () => {
    const values = ['9007199254740991', '9007199254740993', '9223372036854775807', '-9223372036854775808', '-9007199254740991'];
    await write('driver_stats', values.map((trips, i) => ({ driver_id: 30 + i, event_timestamp: ago(0), trips })));
    const results = await read(['driver_stats:trips'], values.map((_, i) => ({ driver_id: 30 + i })));
    expect(results.map((r) => r.values['driver_stats:trips'])).toEqual([9007199254740991, '9007199254740993', '9223372036854775807', '-9223372036854775808', -9007199254740991]);
  });

  it('keys an int64 join key the same whether it arrives as a number or a decimal string', async () => {
    await write('driver_stats', [{ driver_id: '40', event_timestamp: ago(0), trips: 1 }]);
    const [result] = await read(['driver_stats:trips'], [{ driver_id: 40 }]);
    expect(result?.values['driver_stats:trips']).toBe(1);
    expect(await raw.exists(`${prefix}f:${project}:driver:40`)).toBe(1);
  });

  it('reads every zoned timestamp as its UTC instant and refuses one without a zone', () => {
    const { view, entity } = resolved('driver_profile');
    const schema = rowSchema(view, entity);
    const at = (event_timestamp: string) => schema.parse({ driver_id: 1, event_timestamp }).eventTime.toISOString();
    expect(at('2026-03-01T23:30:00-02:00')).toBe('2026-03-02T01:30:00.000Z');
    expect(at('2026-03-01T00:00:00.001+00:00')).toBe('2026-03-01T00:00:00.001Z');
    expect(schema.safeParse({ driver_id: 1, event_timestamp: '2026-03-01T00:00:00' }).success).toBe(false);
    expect(schema.safeParse({ driver_id: 1, event_timestamp: '2026-02-30T00:00:00Z' }).success).toBe(false);
  });
});

describe('many entities, one round trip', () => {
  it('answers every entity row in order with features of two entities and three views', async () => {
    await write('driver_profile', [
      { driver_id: 50, event_timestamp: ago(0), city: 'Pune' },
      { driver_id: 51, event_timestamp: ago(0), city: 'Kyiv' },
    ]);
    await write('route_stats', [{ city: 'Pune', route_id: 50, event_timestamp: ago(0), eta: 3 }]);
    const refs = ['route_stats:eta', 'driver_profile:city', 'driver_stats:trips'];
    const results = await read(refs, [
      { driver_id: 51, city: 'Pune', route_id: 50 },
      { driver_id: 50, city: 'Kyiv', route_id: 50 },
    ]);
    expect(results.map((r) => r.values)).toEqual([
      { 'route_stats:eta': 3, 'driver_profile:city': 'Kyiv', 'driver_stats:trips': null },
      { 'route_stats:eta': null, 'driver_profile:city': 'Pune', 'driver_stats:trips': null },
    ]);
    expect(Object.keys(results[0]?.values ?? {})).toEqual(refs);
  });
});
