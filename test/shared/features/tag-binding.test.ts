import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Entity, FeatureView } from '../../../shared/features/definitions.js';
import { RedisOnlineStore } from '../../../shared/features/redis-online-store.js';
import { ArborError } from '../../../shared/platform/errors.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { deleteRedisPrefix, redisClient } from '../../support/clients.js';

/**
 * Online tags are bound in Redis beside the data (issue 19): a (view, feature) keeps its tag
 * whatever the registry does, and concurrent registrations never hand one tag out twice.
 */
const suffix = randomUUID().slice(0, 8);
const prefix = `features-tags-${suffix}:`;
const raw = redisClient();
let services: Services;
let project = '';
/** Each test its own namespace, so counters start fresh. */
const store = () => new RedisOnlineStore(services.redis, project);

beforeAll(() => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: `features-tags-${suffix}`, REDIS_KEY_PREFIX: prefix }));
});
let projects = 0;
const freshProject = () => (project = `p${projects++}`);
afterAll(async () => {
  await deleteRedisPrefix(raw, prefix);
  raw.disconnect();
  services.redis.disconnect();
});

describe('tag bindings in Redis', () => {
  it('counts view tags in base 36 from 1 and feature tags from 0, and keeps them in one hash per project', async () => {
    freshProject();
    const features = Array.from({ length: 38 }, (_, i) => `f${i}`);
    const views = Array.from({ length: 37 }, (_, i) => ({ view: `v${i}`, features: i === 0 ? features : ['x'] }));
    const bound = await store().bindTags(views);
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.split('');
    expect(bound.slice(0, 35).map((b) => b.tag)).toEqual(digits.slice(1));
    expect(bound.slice(35).map((b) => b.tag)).toEqual(['10', '11']);
    expect(features.map((f) => bound[0]?.featureTags[f])).toEqual([...digits, '10', '11']);
    expect(bound[36]?.featureTags).toEqual({ x: '0' });
    const hash = await raw.hgetall(`${prefix}ft:${project}`);
    expect(hash.v0).toBe('1');
    expect(hash['v0\x00f37']).toBe('11');
    expect(hash.v36).toBe('11');
  });

  it('is stable across calls and independent of the order views are registered in', async () => {
    freshProject();
    const first = await store().bindTags([{ view: 'v_a', features: ['x'] }, { view: 'v_b', features: ['y'] }]);
    expect(first).toEqual([{ tag: '1', featureTags: { x: '0' } }, { tag: '2', featureTags: { y: '0' } }]);
    // Another process, the other order, a feature added: what was bound stays bound.
    const again = await store().bindTags([{ view: 'v_b', features: ['y'] }, { view: 'v_c', features: ['z'] }, { view: 'v_a', features: ['w', 'x'] }]);
    expect(again).toEqual([
      { tag: '2', featureTags: { y: '0' } },
      { tag: '3', featureTags: { z: '0' } },
      { tag: '1', featureTags: { w: '1', x: '0' } },
    ]);
  });

  it('an existing binding wins over a proposed one; a proposed tag is taken only when no other view holds it', async () => {
    freshProject();
    await store().bindTags([{ view: 'v_a', features: ['x'] }]);
    const bound = await store().bindTags([
      { view: 'v_a', features: ['x'], proposed: { tag: '5', featureTags: { x: '3' } } },
      { view: 'v_b', features: ['y', 'q'], proposed: { tag: '1', featureTags: { y: '4' } } },
      { view: 'v_d', features: ['d'], proposed: { tag: '9', featureTags: { d: '7' } } },
    ]);
    expect(bound).toEqual([
      { tag: '1', featureTags: { x: '0' } },
      // '1' is v_a's: v_b gets the next free tag; its free proposed feature tag is kept.
      { tag: '2', featureTags: { y: '4', q: '0' } },
      { tag: '9', featureTags: { d: '7' } },
    ]);
    // The counter skips tags already bound by proposal.
    const later = await store().bindTags(Array.from({ length: 8 }, (_, i) => ({ view: `n${i}`, features: ['f'] })));
    expect(later.map((b) => b.tag)).toEqual(['3', '4', '5', '6', '7', '8', 'a', 'b']);
  });

  it('concurrent allocations from many connections never hand one tag to two views', async () => {
    freshProject();
    const connections = Array.from({ length: 8 }, () => new Redis(inject('arborEnv').REDIS_URL as string, { keyPrefix: prefix }));
    const stores = connections.map((redis) => new RedisOnlineStore(redis, project));
    try {
      const answers = await Promise.all(
        stores.map((s, i) =>
          s.bindTags([
            { view: 'shared', features: ['a', 'b', `own_${i}`] },
            ...Array.from({ length: 25 }, (_, j) => ({ view: `w${i}_${j}`, features: ['x'] })),
          ]),
        ),
      );
      const shared = answers.map((a) => a[0]);
      expect(new Set(shared.map((s) => s?.tag)).size).toBe(1);
      expect(new Set(shared.map((s) => s?.featureTags.a)).size).toBe(1);
      // Every feature of the shared view has its own tag, whoever added it.
      const sharedTags = await raw.hgetall(`${prefix}ft:${project}`);
      const featureTags = Object.entries(sharedTags).filter(([field]) => field.startsWith('shared\x00') && !field.slice(7).startsWith('#'));
      expect(featureTags).toHaveLength(10);
      expect(new Set(featureTags.map(([, tag]) => tag)).size).toBe(10);
      const viewTags = answers.flatMap((a) => a.slice(1).map((b) => b.tag));
      expect(viewTags).toHaveLength(200);
      expect(new Set([...viewTags, shared[0]?.tag]).size).toBe(201);
    } finally {
      for (const redis of connections) redis.disconnect();
    }
  });
});

describe('serving refuses a view whose tags disagree with the binding', () => {
  const entity: Entity = { name: 'rider', joinKeys: [{ name: 'rider_id', type: 'int64' }], version: 1 };
  const viewOf = (name: string, tag: string, featureTags: Record<string, string>, feature = 'x'): FeatureView =>
    ({ name, entity: 'rider', ttlSeconds: 0, online: true, features: [{ name: feature, type: 'int64' }], version: 1, tag, featureTags }) as FeatureView;

  it('reads and writes with the bound tags; a mismatch is a 409 tag_binding_mismatch naming the view, and writes nothing', async () => {
    freshProject();
    const [a, b] = await store().bindTags([{ view: 'v_a', features: ['x'] }, { view: 'v_b', features: ['x'] }]);
    const good = viewOf('v_a', a?.tag as string, a?.featureTags as Record<string, string>);
    const row = { keys: { rider_id: 1 }, eventTime: new Date(Date.now() - 1000), values: { x: 5 } };
    expect(await store().write(good, entity, [row])).toEqual({ written: 1, older: 0 });
    const key = `${prefix}f:${project}:rider:1`;
    const held = await raw.hgetall(key);

    const swapped = viewOf('v_a', b?.tag as string, { x: '0' });
    const refusedWrite = await store().write(swapped, entity, [{ ...row, eventTime: new Date(), values: { x: 6 } }]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusedWrite).toBeInstanceOf(ArborError);
    expect((refusedWrite as ArborError).status).toBe(409);
    expect((refusedWrite as ArborError).code).toBe('tag_binding_mismatch');
    expect((refusedWrite as ArborError).message).toContain('"v_a"');
    expect(await raw.hgetall(key)).toEqual(held);

    const refusedRead = await store().read([{ entity, keys: { rider_id: 1 }, views: [{ view: swapped, features: ['x'] }] }]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refusedRead as ArborError).code).toBe('tag_binding_mismatch');
    const wrongFeature = viewOf('v_a', a?.tag as string, { x: '1' });
    const refusedFeature = await store().read([{ entity, keys: { rider_id: 1 }, views: [{ view: wrongFeature, features: ['x'] }] }]).catch((error: unknown) => error);
    expect((refusedFeature as ArborError).code).toBe('tag_binding_mismatch');
    expect((await store().read([{ entity, keys: { rider_id: 1 }, views: [{ view: good, features: ['x'] }] }]))[0]?.[0]?.values).toEqual([5]);
    // Nothing the refusals did bound anything new.
    expect(Object.keys(await raw.hgetall(`${prefix}ft:${project}`)).filter((f) => !f.includes('#'))).toEqual(expect.arrayContaining(['v_a', 'v_b', 'v_a\x00x', 'v_b\x00x']));
  });

  it('a view with no binding yet (a registry from before bindings lived in Redis) binds its own tags when they are free', async () => {
    freshProject();
    const legacy = viewOf('old', '4', { x: '2' });
    const row = { keys: { rider_id: 2 }, eventTime: new Date(Date.now() - 1000), values: { x: 8 } };
    expect(await store().write(legacy, entity, [row])).toEqual({ written: 1, older: 0 });
    expect(await raw.hget(`${prefix}f:${project}:rider:2`, '4.2')).toBe('8');
    expect(await store().bindTags([{ view: 'old', features: ['x'] }])).toEqual([{ tag: '4', featureTags: { x: '2' } }]);
    // A legacy view whose tag another view already holds is refused, not merged.
    const clash = viewOf('older', '4', { x: '0' });
    const refused = await store().read([{ entity, keys: { rider_id: 2 }, views: [{ view: clash, features: ['x'] }] }]).catch((error: unknown) => error);
    expect((refused as ArborError).code).toBe('tag_binding_mismatch');
    expect(await raw.hget(`${prefix}ft:${project}`, 'older')).toBeNull();
  });
});
