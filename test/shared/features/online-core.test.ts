import { describe, expect, it } from 'vitest';
import type { Entity, FeatureRegistry, FeatureView } from '../../../shared/features/definitions.js';
import { isStale, planLookup } from '../../../shared/features/online.js';
import { decodeValue, encodeValue, featureField, fromDuckDb, onlineKey, timestampField } from '../../../shared/features/online-layout.js';
import { featureRowFromDuckDb, joinKeySchema, rowSchema } from '../../../shared/features/rows.js';

// The feature core without a store: the online layout (docs/features.md, "Online store"), the
// TTL rule and the row schema. Expected values are written out by hand from the spec, not taken
// from the modules' own constants.

const second = 1000;
const day = 86_400 * second;
const now = new Date('2026-06-01T12:00:00.000Z');

function view(name: string, entity: string, ttlSeconds: number, features: FeatureView['features'], tag: string): FeatureView {
  return {
    name,
    entity,
    ttlSeconds,
    online: true,
    features,
    tag,
    featureTags: Object.fromEntries(features.map((f, i) => [f.name, i.toString(36)])),
    version: 1,
  };
}

const driver: Entity = { name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }], version: 1 };
const route: Entity = {
  name: 'route',
  joinKeys: [
    { name: 'city', type: 'string' },
    { name: 'route_id', type: 'int64' },
  ],
  version: 1,
};
const stats = view(
  'driver_stats',
  'driver',
  3600,
  [
    { name: 'trips', type: 'int64' },
    { name: 'rating', type: 'float64' },
    { name: 'active', type: 'bool' },
    { name: 'embedding', type: 'float_vector', dimension: 2 },
    { name: 'note', type: 'string' },
  ],
  'a',
);
const profile = view('driver_profile', 'driver', 0, [{ name: 'home', type: 'string' }], 'b');
const eta = view('route_eta', 'route', 60, [{ name: 'eta', type: 'int64' }, { name: 'free', type: 'float_vector' }], 'c');
const registry: FeatureRegistry = { entities: [driver, route], featureViews: [stats, profile, eta], featureServices: [] };

describe('staleness: a TTL in seconds from the event time', () => {
  it('serves a value exactly TTL old and not one a millisecond older', () => {
    const hourAgo = now.getTime() - 3_600_000;
    expect(isStale({ ttlSeconds: 3600 }, hourAgo, now)).toBe(false);
    expect(isStale({ ttlSeconds: 3600 }, hourAgo - 1, now)).toBe(true);
    expect(isStale({ ttlSeconds: 3600 }, now.getTime(), now)).toBe(false);
  });

  it('reads a TTL of three days as three days, not 259 seconds', () => {
    const threeDays = 3 * 86_400;
    // 4.3 minutes and two days old: fresh under a three-day TTL.
    expect(isStale({ ttlSeconds: threeDays }, now.getTime() - 260_000, now)).toBe(false);
    expect(isStale({ ttlSeconds: threeDays }, now.getTime() - 2 * day, now)).toBe(false);
    expect(isStale({ ttlSeconds: threeDays }, now.getTime() - 3 * day - 1, now)).toBe(true);
    // A one-second TTL is a thousand milliseconds.
    expect(isStale({ ttlSeconds: 1 }, now.getTime() - 1000, now)).toBe(false);
    expect(isStale({ ttlSeconds: 1 }, now.getTime() - 1001, now)).toBe(true);
  });

  it('never goes stale with a TTL of 0, and a value from the future is fresh', () => {
    expect(isStale({ ttlSeconds: 0 }, now.getTime() - 3650 * day, now)).toBe(false);
    expect(isStale({ ttlSeconds: 0 }, 0, now)).toBe(false);
    expect(isStale({ ttlSeconds: 60 }, now.getTime() + 5 * day, now)).toBe(false);
  });
});

describe('lookup plans', () => {
  it('groups refs by entity, then by view, in the order first asked, keeping each feature order', () => {
    const plans = planLookup(registry, ['route_eta:eta', 'driver_stats:rating', 'driver_profile:home', 'driver_stats:trips', 'route_eta:free']);
    expect(plans.map((p) => p.entity.name)).toEqual(['route', 'driver']);
    expect(plans.map((p) => p.views.map((g) => [g.view.name, g.features]))).toEqual([
      [['route_eta', ['eta', 'free']]],
      [
        ['driver_stats', ['rating', 'trips']],
        ['driver_profile', ['home']],
      ],
    ]);
    expect(plans[1]?.entity).toBe(driver);
    expect(plans[1]?.views[0]?.view).toBe(stats);
  });

  it('plans nothing for no refs', () => {
    expect(planLookup(registry, [])).toEqual([]);
  });
});

describe('the online layout', () => {
  it('keys a hash by project, entity and the join key values in the entity order', () => {
    expect(onlineKey('shop', driver, { driver_id: 42 })).toBe('f:shop:driver:42');
    expect(onlineKey('shop', route, { route_id: 7, city: 'oslo' })).toBe('f:shop:route:oslo:7');
  });

  it('escapes a key value so it cannot forge another entity hash', () => {
    // "a:b" + 1 and "a" + "b:1" must not meet at f:p:route:a:b:1.
    const forged = onlineKey('p', route, { city: 'a:b', route_id: 1 });
    expect(forged).toBe('f:p:route:a%3Ab:1');
    expect(forged).not.toBe(onlineKey('p', route, { city: 'a', route_id: 'b:1' }));
    expect(onlineKey('p', route, { city: 'São Paulo/2', route_id: 1 })).toBe('f:p:route:S%C3%A3o%20Paulo%2F2:1');
  });

  it('names a feature field <viewTag>.<featureTag> and the event time <viewTag>.t', () => {
    expect(featureField(stats, 'trips')).toBe('a.0');
    expect(featureField(stats, 'note')).toBe('a.4');
    expect(featureField(eta, 'free')).toBe('c.1');
    expect(timestampField(eta)).toBe('c.t');
  });

  it('encodes booleans as 1 and 0, vectors as JSON, the rest as decimal text', () => {
    expect(encodeValue('bool', true)).toBe('1');
    expect(encodeValue('bool', false)).toBe('0');
    expect(encodeValue('float_vector', [0.5, -2])).toBe('[0.5,-2]');
    expect(encodeValue('int64', 12)).toBe('12');
    expect(encodeValue('int64', '9223372036854775807')).toBe('9223372036854775807');
    expect(encodeValue('float64', -0.25)).toBe('-0.25');
    expect(encodeValue('string', 'x y')).toBe('x y');
  });

  it('decodes each type back, keeping an int64 beyond 2^53 as its decimal string', () => {
    expect(decodeValue('bool', '1')).toBe(true);
    expect(decodeValue('bool', '0')).toBe(false);
    expect(decodeValue('float_vector', '[0.5,-2]')).toEqual([0.5, -2]);
    expect(decodeValue('float64', '-0.25')).toBe(-0.25);
    expect(decodeValue('string', '42')).toBe('42');
    // 2^53 - 1 = 9007199254740991 is the last safe integer; 2^53 + 1 has no double.
    expect(decodeValue('int64', '9007199254740991')).toBe(9_007_199_254_740_991);
    expect(decodeValue('int64', '-9007199254740991')).toBe(-9_007_199_254_740_991);
    expect(decodeValue('int64', '9007199254740993')).toBe('9007199254740993');
    expect(decodeValue('int64', '-9223372036854775808')).toBe('-9223372036854775808');
    expect(decodeValue('int64', '0')).toBe(0);
  });

  it('reads DuckDB values as JSON carries them', () => {
    expect(fromDuckDb(42n)).toBe(42);
    expect(fromDuckDb(-(2n ** 53n) + 1n)).toBe(-9_007_199_254_740_991);
    expect(fromDuckDb(2n ** 53n + 1n)).toBe('9007199254740993');
    expect(fromDuckDb(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(fromDuckDb([1, '2.5'])).toEqual([1, 2.5]);
    expect(fromDuckDb(undefined)).toBeNull();
    expect(fromDuckDb(null)).toBeNull();
    expect(fromDuckDb('x')).toBe('x');
    expect(fromDuckDb(false)).toBe(false);
    expect(fromDuckDb(0)).toBe(0);
  });
});

describe('rows', () => {
  it('accepts an int64 key as a safe integer or a decimal string of up to 19 digits', () => {
    const int64 = joinKeySchema('int64');
    expect(int64.parse(42)).toBe(42);
    expect(int64.parse(-9_007_199_254_740_991)).toBe(-9_007_199_254_740_991);
    expect(int64.parse('-9223372036854775808')).toBe('-9223372036854775808');
    expect(int64.parse('1234567890123456789')).toBe('1234567890123456789');
    expect(int64.safeParse('12345678901234567890').success).toBe(false); // 20 digits
    expect(int64.safeParse(9_007_199_254_740_992).success).toBe(false); // 2^53: not safe
    expect(int64.safeParse(1.5).success).toBe(false);
    expect(int64.safeParse('1.5').success).toBe(false);
    expect(int64.safeParse('12a').success).toBe(false);
    expect(int64.safeParse('a12').success).toBe(false);
    expect(int64.safeParse('').success).toBe(false);
    expect(int64.safeParse('-').success).toBe(false);
    expect(JSON.stringify(int64.safeParse('12a').error?.issues)).toContain('must be an integer');
  });

  it('says why an unsafe int64 number is refused', () => {
    const result = joinKeySchema('int64').safeParse(2 ** 60);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('beyond 2^53');
  });

  it('accepts a string key of 1 to 1024 characters', () => {
    const key = joinKeySchema('string');
    expect(key.parse('x')).toBe('x');
    expect(key.parse('y'.repeat(1024))).toHaveLength(1024);
    expect(key.safeParse('').success).toBe(false);
    expect(key.safeParse('y'.repeat(1025)).success).toBe(false);
    expect(key.safeParse(5).success).toBe(false);
  });

  // Built inside each test, not while the file is collected: mutation runs switch a mutant on
  // only once tests start.
  const rowsOfStats = () => rowSchema(stats, driver);
  const valid = { driver_id: 7, event_timestamp: '2026-06-01T10:00:00+02:00' };

  it('parses a row into keys, event time and every feature, absent ones as null', () => {
    const schema = rowsOfStats();
    expect(schema.parse({ ...valid, trips: 3, active: false, embedding: [1, 2] })).toEqual({
      keys: { driver_id: 7 },
      eventTime: new Date('2026-06-01T08:00:00.000Z'),
      values: { trips: 3, rating: null, active: false, embedding: [1, 2], note: null },
    });
    expect(schema.parse({ ...valid, trips: null, note: '' }).values).toEqual({ trips: null, rating: null, active: null, embedding: null, note: '' });
  });

  it('refuses unknown columns, a time without a zone and values of the wrong type or size', () => {
    const schema = rowsOfStats();
    const refused = (row: Record<string, unknown>) => schema.safeParse({ ...valid, ...row }).success === false;
    expect(refused({ extra: 1 })).toBe(true);
    expect(refused({ event_timestamp: '2026-06-01T10:00:00' })).toBe(true);
    expect(refused({ event_timestamp: 'yesterday' })).toBe(true);
    expect(refused({ trips: 1.5 })).toBe(true);
    expect(refused({ trips: '12345678901234567890' })).toBe(true);
    expect(refused({ rating: '4.5' })).toBe(true);
    expect(refused({ active: 1 })).toBe(true);
    expect(refused({ embedding: [1] })).toBe(true);
    expect(refused({ embedding: [1, 2, 3] })).toBe(true);
    expect(refused({ embedding: [1, 'x'] })).toBe(true);
    expect(refused({ note: 'n'.repeat(65_537) })).toBe(true);
    expect(refused({ driver_id: undefined })).toBe(true);
    expect(refused({ event_timestamp: undefined })).toBe(true);
    // The same rows at their limits pass.
    expect(refused({ trips: '-12' })).toBe(false);
    expect(refused({ note: 'n'.repeat(65_536) })).toBe(false);
  });

  it('names the vector dimension it wants', () => {
    const result = rowsOfStats().safeParse({ ...valid, embedding: [1, 2, 3] });
    expect(JSON.stringify(result.error?.issues)).toContain('must have 2 elements');
  });

  it('bounds a vector without a declared dimension to 1 to 4096 numbers', () => {
    const etaSchema = rowSchema(eta, route);
    const base = { city: 'oslo', route_id: '9', event_timestamp: '2026-06-01T10:00:00Z' };
    expect(etaSchema.parse({ ...base, free: [0.5] }).values.free).toEqual([0.5]);
    expect(etaSchema.safeParse({ ...base, free: new Array(4096).fill(0) }).success).toBe(true);
    expect(etaSchema.safeParse({ ...base, free: new Array(4097).fill(0) }).success).toBe(false);
    expect(etaSchema.safeParse({ ...base, free: [] }).success).toBe(false);
    // An int64 key given as text comes out in its canonical form, a number below 2^53 (issue 12 item 14).
    expect(etaSchema.parse(base).keys).toEqual({ city: 'oslo', route_id: 9 });
  });

  it('turns a DuckDB row into a feature row, _ms as the event time', () => {
    const row = featureRowFromDuckDb(eta, route, { city: 'oslo', route_id: 2n ** 62n, _ms: 1_780_000_000_000n, eta: 5n, free: [1, 2] });
    expect(row).toEqual({
      keys: { city: 'oslo', route_id: '4611686018427387904' },
      eventTime: new Date(1_780_000_000_000),
      values: { eta: 5, free: [1, 2] },
    });
  });
});
