import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Entity, FeatureRegistry, FeatureView } from '../../../shared/features/definitions.js';
import { decodeValue, encodeValue, featureField, onlineKey, timestampField } from '../../../shared/features/online-layout.js';
import { isStale, planLookup, readOnline, writeOnline } from '../../../shared/features/online.js';
import { keyLifetimeMs, RedisOnlineStore } from '../../../shared/features/redis-online-store.js';
import { int64Schema, rowSchema } from '../../../shared/features/rows.js';
import { stageFile, validateStaged } from '../../../shared/features/staging.js';
import { withDuckDb } from '../../../shared/platform/duckdb.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { deleteRedisPrefix, redisClient } from '../../support/clients.js';
import { plannedRegistry } from '../../support/feature-registry.js';

/**
 * The feature core at its boundaries (issue 21). Every expectation is written out by hand
 * (literal milliseconds, literal int64 limits, literal base-36 tags) rather than computed from
 * the constants of the code under test, so a wrong unit or an off-by-one in the code cannot
 * move the expectation with it.
 */
const suffix = randomUUID().slice(0, 8);
const prefix = `features-edges-${suffix}:`;
const project = 'edges';
const now = new Date('2026-06-01T12:00:00.000Z');
const nowMs = 1_780_315_200_000; // 2026-06-01T12:00:00Z, written out
const raw = redisClient();
let services: Services;

const definitions = {
  entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
  featureViews: [
    // 3 days: the TTL of issue 21's mutation, which read it as milliseconds (4.3 minutes).
    { name: 'daily', entity: 'driver', ttlSeconds: 259_200, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] },
    { name: 'minute', entity: 'driver', ttlSeconds: 60, features: [{ name: 'speed', type: 'float64' }] },
  ],
};
let registry: FeatureRegistry;
const resolved = (name: string) => {
  const view = registry.featureViews.find((v) => v.name === name) as FeatureView;
  return { view, entity: registry.entities.find((e) => e.name === view.entity) as Entity };
};

beforeAll(() => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: `features-edges-${suffix}`, REDIS_KEY_PREFIX: prefix }));
  registry = plannedRegistry(definitions);
});
afterAll(async () => {
  await deleteRedisPrefix(raw, prefix);
  raw.disconnect();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('TTL edges, in seconds', () => {
  it('the written-out clock is the test clock', () => {
    expect(now.getTime()).toBe(nowMs);
  });

  it('a 3-day TTL: fresh at 4.3 minutes, an hour, 3 days exactly; stale 1 ms after 3 days', () => {
    const ttl = { ttlSeconds: 259_200 };
    expect(isStale(ttl, nowMs - 259_200, now)).toBe(false); // 259.2 s: the TTL read as milliseconds
    expect(isStale(ttl, nowMs - 3_600_000, now)).toBe(false);
    expect(isStale(ttl, nowMs - 259_200_000, now)).toBe(false);
    expect(isStale(ttl, nowMs - 259_200_001, now)).toBe(true);
  });

  it('a 1 s TTL: fresh at 1000 ms, stale at 1001 ms; a TTL of 0 never stale, even 300 years on', () => {
    expect(isStale({ ttlSeconds: 1 }, nowMs - 1000, now)).toBe(false);
    expect(isStale({ ttlSeconds: 1 }, nowMs - 1001, now)).toBe(true);
    expect(isStale({ ttlSeconds: 0 }, -8_640_000_000_000, now)).toBe(false);
  });

  it('key lifetime: TTL plus grace in milliseconds, from the later of now and the event; none without TTL', () => {
    expect(keyLifetimeMs(30, 3600, nowMs, nowMs)).toBe(3_630_000);
    expect(keyLifetimeMs(30, 0, nowMs - 86_400_000, nowMs)).toBe(30_000);
    expect(keyLifetimeMs(30, 3600, nowMs + 10_000, nowMs)).toBe(3_640_000);
    expect(keyLifetimeMs(259_200, 3600, nowMs, nowMs)).toBe(262_800_000);
    expect(keyLifetimeMs(0, 3600, nowMs + 10_000, nowMs)).toBe(0);
  });
});

describe('staleness and expiry in Redis', () => {
  const storeAt = (clockMs: number, graceSeconds: number) => new RedisOnlineStore(services.redis, project, graceSeconds, () => clockMs);
  const push = async (store: RedisOnlineStore, name: string, rows: Array<Record<string, unknown>>) => {
    const { view, entity } = resolved(name);
    const schema = rowSchema(view, entity);
    return writeOnline(store, view, entity, rows.map((row) => schema.parse(row)));
  };
  const statusAt = async (store: RedisOnlineStore, ref: string, driverId: number, at: Date) =>
    (await readOnline(store, planLookup(registry, [ref]), [ref], [{ driver_id: driverId }], at))[0]?.status[ref];

  it('sets PTTL to (TTL + grace) seconds in milliseconds, from the write when the event is older', async () => {
    const store = storeAt(Date.now(), 120);
    await push(store, 'minute', [{ driver_id: 1, event_timestamp: new Date(Date.now() - 30_000).toISOString(), speed: 3 }]);
    const pttl = await raw.pttl(`${prefix}f:${project}:driver:1`);
    // 60 s TTL + 120 s grace = 180,000 ms, less the few ms the write took.
    expect(pttl).toBeGreaterThan(179_000);
    expect(pttl).toBeLessThanOrEqual(180_000);
  });

  it('a value past its TTL but within the grace reads stale (the key is still there); without grace it is gone', async () => {
    const writeAt = Date.now();
    const event = new Date(writeAt - 59_000).toISOString();
    await push(storeAt(writeAt, 120), 'minute', [{ driver_id: 2, event_timestamp: event, speed: 5 }]);
    const reader = storeAt(writeAt, 120);
    expect(await statusAt(reader, 'minute:speed', 2, new Date(writeAt))).toBe('present');
    // 2 s later by the reader's clock the value is 61 s old: stale, and Redis still holds it.
    expect(await statusAt(reader, 'minute:speed', 2, new Date(writeAt + 2000))).toBe('stale');
    expect(await raw.exists(`${prefix}f:${project}:driver:2`)).toBe(1);

    // Grace 0 and an event 59.95 s old at the write: Redis drops the key 60 s after the write.
    await push(storeAt(Date.now(), 0), 'minute', [{ driver_id: 3, event_timestamp: new Date(Date.now() - 59_950).toISOString(), speed: 1 }]);
    expect(await raw.pttl(`${prefix}f:${project}:driver:3`)).toBeLessThanOrEqual(60_000);
  });

  it('one view past its TTL does not make another view of the same entity stale or missing', async () => {
    const store = storeAt(Date.now(), 0);
    await push(store, 'daily', [{ driver_id: 4, event_timestamp: new Date(Date.now() - 86_400_000).toISOString(), trips: 9 }]);
    await push(store, 'minute', [{ driver_id: 4, event_timestamp: new Date(Date.now() - 120_000).toISOString(), speed: 2 }]);
    const refs = ['daily:trips', 'minute:speed'];
    const [result] = await readOnline(store, planLookup(registry, refs), refs, [{ driver_id: 4 }], new Date());
    expect(result?.status).toEqual({ 'daily:trips': 'present', 'minute:speed': 'stale' });
    // The shorter view never shortens the key the longer one needs: 3 days, not 60 s.
    expect(await raw.pttl(`${prefix}f:${project}:driver:4`)).toBeGreaterThan(259_000_000);
  });
});

describe('newest row wins, ties included', () => {
  const store = () => new RedisOnlineStore(services.redis, project, 0);
  const push = async (name: string, rows: Array<Record<string, unknown>>) => {
    const { view, entity } = resolved(name);
    const schema = rowSchema(view, entity);
    return writeOnline(store(), view, entity, rows.map((row) => schema.parse(row)));
  };

  it('a tie keeps the whole first row: a second row of the same time cannot add a feature the first left out', async () => {
    const at = new Date(Date.now() - 1000).toISOString();
    expect(await push('daily', [{ driver_id: 10, event_timestamp: at, trips: 1 }])).toEqual({ written: 1, older: 0 });
    expect(await push('daily', [{ driver_id: 10, event_timestamp: at, trips: 2, rating: 4.5 }])).toEqual({ written: 0, older: 1 });
    const key = `${prefix}f:${project}:driver:10`;
    const { view } = resolved('daily');
    expect(await raw.hmget(key, featureField(view, 'trips'), featureField(view, 'rating'))).toEqual(['1', null]);
  });

  it('ties are per view: the same event time in another view of the entity is written', async () => {
    const at = new Date(Date.now() - 1000).toISOString();
    expect(await push('daily', [{ driver_id: 11, event_timestamp: at, trips: 1 }])).toEqual({ written: 1, older: 0 });
    expect(await push('minute', [{ driver_id: 11, event_timestamp: at, speed: 7 }])).toEqual({ written: 1, older: 0 });
  });

  it('one millisecond newer wins, one millisecond older loses, in a batch and across batches', async () => {
    const base = Date.now() - 5000;
    const rows = [base, base + 1, base - 1, base + 1].map((ms, i) => ({ driver_id: 12, event_timestamp: new Date(ms).toISOString(), trips: i }));
    expect(await push('daily', rows)).toEqual({ written: 2, older: 2 });
    expect(await raw.hget(`${prefix}f:${project}:driver:12`, featureField(resolved('daily').view, 'trips'))).toBe('1');
  });
});

describe('int64 edges', () => {
  const parse = (value: unknown) => int64Schema.safeParse(value);
  const ok = (value: unknown) => {
    const parsed = parse(value);
    if (!parsed.success) throw new Error(`${JSON.stringify(value)} was refused: ${parsed.error.message}`);
    return parsed.data;
  };

  it('takes both ends of the range as text and refuses one past each', () => {
    expect(ok('9223372036854775807')).toBe('9223372036854775807');
    expect(ok('-9223372036854775808')).toBe('-9223372036854775808');
    expect(parse('9223372036854775808').success).toBe(false);
    expect(parse('-9223372036854775809').success).toBe(false);
    expect(parse('9999999999999999999').error?.issues[0]?.message).toMatch(/int64 range/);
  });

  it('numbers up to 2^53 - 1 either side; past that only as text, which stays text', () => {
    expect(ok(9_007_199_254_740_991)).toBe(9_007_199_254_740_991);
    expect(ok(-9_007_199_254_740_991)).toBe(-9_007_199_254_740_991);
    expect(parse(9_007_199_254_740_992).success).toBe(false);
    expect(ok('9007199254740992')).toBe('9007199254740992');
    expect(ok('-9007199254740992')).toBe('-9007199254740992');
    expect(parse(4.5).success).toBe(false);
    expect(parse(Number.NaN).success).toBe(false);
  });

  it('canonical form: leading zeros and a signed zero go, up to 40 characters of text', () => {
    expect(ok('042')).toBe(42);
    expect(ok('-007')).toBe(-7);
    expect(ok('-0')).toBe(0);
    expect(Object.is(ok(-0), -0) ? 'minus zero' : String(ok(-0))).not.toBe('-0');
    expect(ok(`${'0'.repeat(38)}42`)).toBe(42);
    expect(parse(`${'0'.repeat(39)}42`).success).toBe(false);
    expect(ok('00009223372036854775807')).toBe('9223372036854775807');
    for (const bad of ['', '-', '+1', ' 1', '1 ', '1e3', '0x10', '1_000', '٣']) expect(parse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('one key in Redis for 42, "042" and "0042"; and values round-trip exact to the ends', () => {
    const { entity } = resolved('daily');
    const keys = [42, '042', '0042'].map((id) => onlineKey(project, entity, { driver_id: ok(id) }));
    expect(new Set(keys)).toEqual(new Set([`f:${project}:driver:42`]));
    expect(decodeValue('int64', encodeValue('int64', ok('-9223372036854775808') as string))).toBe('-9223372036854775808');
    expect(decodeValue('int64', '9007199254740991')).toBe(9_007_199_254_740_991);
    expect(decodeValue('int64', '9007199254740992')).toBe('9007199254740992');
  });
});

describe('timestamp edges: how far ahead an event may be', () => {
  it('on push: exactly now + allowance is taken, one millisecond more is refused naming event_timestamp', () => {
    const { view, entity } = resolved('daily');
    const schema = rowSchema(view, entity, { now, maxFutureSeconds: 300 });
    const row = (at: string) => schema.safeParse({ driver_id: 1, event_timestamp: at });
    expect(row('2026-06-01T12:05:00.000Z').success).toBe(true);
    const late = row('2026-06-01T12:05:00.001Z');
    expect(late.success).toBe(false);
    expect(late.error?.issues[0]?.path).toEqual(['event_timestamp']);
    expect(late.error?.issues[0]?.message).toMatch(/more than 300 s ahead of now/);
    // The same instant in another zone is the same instant.
    expect(row('2026-06-01T14:05:00.000+02:00').success).toBe(true);
    expect(row('2026-06-01T14:05:00.001+02:00').success).toBe(false);
    // Allowance 0: now is taken, the next millisecond is not.
    const strict = rowSchema(view, entity, { now, maxFutureSeconds: 0 });
    expect(strict.safeParse({ driver_id: 1, event_timestamp: '2026-06-01T12:00:00.000Z' }).success).toBe(true);
    expect(strict.safeParse({ driver_id: 1, event_timestamp: '2026-06-01T12:00:00.001Z' }).success).toBe(false);
  });

  it('on ingestion (DuckDB staging): the same boundary, counted per file with the first bad row', async () => {
    const { view, entity } = resolved('daily');
    const problems = await withDuckDb(async (session) => {
      const path = join(session.scratch, 'rows.csv');
      await writeFile(
        path,
        ['driver_id,event_timestamp,trips', '1,2026-06-01T12:05:00.000Z,1', '2,2026-06-01T12:05:00.001Z,2', '3,2026-06-01T14:05:00.000+02:00,3', '4,2030-01-01T00:00:00Z,4'].join('\n'),
      );
      expect(await stageFile(session, path, 'csv', view, entity)).toEqual([]);
      return (await validateStaged(session, view, entity, { now, maxFutureSeconds: 300 })).problems;
    });
    expect(problems).toEqual([{ field: 'event_timestamp', problem: expect.stringMatching(/^2 row\(s\) are more than 300 s ahead of now .*; the first is row 2$/) }]);
  });
});

describe('tag layout', () => {
  it('names view fields <viewTag>.<featureTag> and <viewTag>.t, tags counting in base 36 from 1 (views) and 0 (features)', () => {
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.split('');
    const features = Array.from({ length: 38 }, (_, i) => ({ name: `f${i}`, type: 'int64' }));
    const views = Array.from({ length: 37 }, (_, i) => ({ name: `v${i}`, entity: 'driver', ttlSeconds: 0, features: i === 0 ? features : [{ name: 'x', type: 'bool' }] }));
    const planned = plannedRegistry({ entities: definitions.entities, featureViews: views });
    const tags = views.map((v) => planned.featureViews.find((p) => p.name === v.name)?.tag);
    expect(tags.slice(0, 35)).toEqual(digits.slice(1));
    expect(tags.slice(35)).toEqual(['10', '11']);
    const first = planned.featureViews.find((v) => v.name === 'v0') as FeatureView;
    expect(features.map((f) => first.featureTags[f.name])).toEqual([...digits, '10', '11']);
    expect(featureField(first, 'f37')).toBe('1.11');
    expect(timestampField(first)).toBe('1.t');
    const last = planned.featureViews.find((v) => v.name === 'v36') as FeatureView;
    expect(featureField(last, 'x')).toBe('11.0');
  });

  it('keys are f:<project>:<entity>:<keys in declared order>, string keys URI-encoded', () => {
    const entity = { name: 'route', joinKeys: [{ name: 'city', type: 'string' as const }, { name: 'route_id', type: 'int64' as const }], version: 1 };
    expect(onlineKey('p', entity, { route_id: 7, city: 'a:b/c d' })).toBe('f:p:route:a%3Ab%2Fc%20d:7');
    expect(onlineKey('p', entity, { route_id: '9223372036854775807', city: 'x' })).toBe('f:p:route:x:9223372036854775807');
  });
});
