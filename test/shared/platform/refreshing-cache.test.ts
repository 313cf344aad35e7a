import { describe, expect, it } from 'vitest';
import { RefreshingCache } from '../../../shared/platform/refreshing-cache.js';

/** A store whose reads the test settles by hand, counting them. */
function store() {
  const pending: Array<{ resolve: (value: string) => void; reject: (error: Error) => void }> = [];
  return {
    reads: () => pending.length,
    read: () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
    answer: (index: number, value: string) => pending[index]?.resolve(value),
    fail: (index: number) => pending[index]?.reject(new Error(`read ${index} failed`)),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function cacheAt(clock: { now: number }, maxEntries = 10) {
  return new RefreshingCache<string>({ refreshMs: 5_000, maxStaleMs: 60_000, maxEntries, now: () => clock.now });
}

/** A cache at time 0 holding 'v1' for key 'k', read from a fresh store (its read 0). */
async function holdingV1() {
  const clock = { now: 0 };
  const cache = cacheAt(clock);
  const db = store();
  const first = cache.get('k', db.read);
  db.answer(0, 'v1');
  await first;
  return { clock, cache, db };
}

describe('RefreshingCache', () => {
  it('shares one read among concurrent callers and serves it until refreshMs', async () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    const db = store();
    const first = cache.get('k', db.read);
    const second = cache.get('k', db.read);
    expect(db.reads()).toBe(1);
    db.answer(0, 'v1');
    expect([await first, await second]).toEqual(['v1', 'v1']);
    clock.now = 4_999;
    expect(await cache.get('k', db.read)).toBe('v1');
    expect(db.reads()).toBe(1);
  });

  it('serves the old copy past refreshMs while one background read replaces it', async () => {
    const { clock, cache, db } = await holdingV1();
    clock.now = 5_000;
    expect(await cache.get('k', db.read)).toBe('v1');
    expect(await cache.get('k', db.read)).toBe('v1');
    expect(db.reads()).toBe(2);
    db.answer(1, 'v2');
    await settle();
    expect(await cache.get('k', db.read)).toBe('v2');
    expect(db.reads()).toBe(2);
    // The refreshed copy is as old as its read: it is served as it is until 5 s after that.
    clock.now = 9_999;
    expect(await cache.get('k', db.read)).toBe('v2');
    expect(db.reads()).toBe(2);
  });

  it('keeps the old copy when a refresh fails, and tries again on the next request', async () => {
    const { clock, cache, db } = await holdingV1();
    clock.now = 6_000;
    expect(await cache.get('k', db.read)).toBe('v1');
    db.fail(1);
    await settle();
    expect(await cache.get('k', db.read)).toBe('v1');
    expect(db.reads()).toBe(3);
    db.answer(2, 'v2');
    await settle();
    expect(await cache.get('k', db.read)).toBe('v2');
  });

  it('makes a caller wait for a read, and see its error, once the copy is older than maxStaleMs', async () => {
    const { clock, cache, db } = await holdingV1();
    clock.now = 60_000;
    const waiting = cache.get('k', db.read);
    db.fail(1);
    await expect(waiting).rejects.toThrow('read 1 failed');
    // A failed read is not remembered: the next caller reads again.
    const next = cache.get('k', db.read);
    expect(db.reads()).toBe(3);
    db.answer(2, 'v3');
    expect(await next).toBe('v3');
  });

  it('serves a value set on this instance at once, and a refresh begun before it does not replace it', async () => {
    const { clock, cache, db } = await holdingV1();
    clock.now = 5_000;
    expect(await cache.get('k', db.read)).toBe('v1');
    cache.set('k', 'mine');
    db.answer(1, 'from before');
    await settle();
    expect(await cache.get('k', db.read)).toBe('mine');
    cache.delete('k');
    const after = cache.get('k', db.read);
    db.answer(2, 'read again');
    expect(await after).toBe('read again');
  });

  it('keeps at most maxEntries keys, dropping the one read longest ago', async () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock, 2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    const db = store();
    const a = cache.get('a', db.read);
    expect(db.reads()).toBe(1);
    db.answer(0, 'A again');
    expect(await a).toBe('A again');
    expect(await cache.get('c', db.read)).toBe('C');
    expect(db.reads()).toBe(1);
  });
});
