import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexChunks, maxPostingsPerTerm, migrateLegacyIndex, removeChunks, searchKeywords, termStatistics } from '../../../shared/rag/keyword-index.js';
import { terms } from '../../../shared/rag/text.js';
import { deleteRedisPrefix, redisClient } from '../../support/clients.js';

describe('the BM25 keyword index in Redis', () => {
  let redis: Redis;
  const collection = `kw-${randomBytes(4).toString('hex')}`;
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    await deleteRedisPrefix(redis, `r:{${collection}}:`);
    redis.disconnect();
  });

  it('ranks by BM25, forgets removed chunks, and keeps its statistics exact', async () => {
    await indexChunks(redis, collection, [
      { id: 'a', text: 'Redis holds the online features; each entity is one hash in Redis.' },
      { id: 'b', text: 'Parquet files hold offline features in the cool tier.' },
      { id: 'c', text: 'Grafana dashboards show latency.' },
    ]);
    const hits = await searchKeywords(redis, collection, 'where do online features live in redis', 10);
    expect(hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score as number);
    expect(await searchKeywords(redis, collection, 'the and of', 10)).toEqual([]);

    // BM25 by hand for "grafana", the textbook Okapi form with its usual k1 = 1.2 and b = 0.75:
    // idf = ln(1 + (N - df + 0.5) / (df + 0.5)), score = idf tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avg |d|)).
    // N, df, |d| and the average length come from the three texts above (terms as text.ts makes
    // them), not from the index's own counters, so a bookkeeping error there shows.
    const texts = [
      'Redis holds the online features; each entity is one hash in Redis.',
      'Parquet files hold offline features in the cool tier.',
      'Grafana dashboards show latency.',
    ];
    const lengths = texts.map((text) => terms(text).length);
    const [k1, b] = [1.2, 0.75];
    const idf = Math.log(1 + (3 - 1 + 0.5) / (1 + 0.5));
    const average = lengths.reduce((sum, n) => sum + n, 0) / texts.length;
    const expected = (idf * 1 * (k1 + 1)) / (1 + k1 * (1 - b + (b * (lengths[2] as number)) / average));
    expect(lengths[2]).toBe(4); // grafana, dashboard, show, latenc
    expect((await searchKeywords(redis, collection, 'grafana', 1))[0]?.score).toBeCloseTo(expected, 10);

    await removeChunks(redis, collection, ['a', 'missing']);
    expect((await searchKeywords(redis, collection, 'redis features', 10)).map((h) => h.id)).toEqual(['b']);
    expect(await redis.hget(`r:{${collection}}:stats`, 'chunks')).toBe('2');
    // The index keys terms as text.ts makes them (stemmed), so look the term up the same way.
    const [redisTerm] = terms('redis');
    expect(redisTerm).toBeDefined();
    // A term no chunk holds any more leaves no field behind (the df hash shrinks).
    expect(await redis.hexists(`r:{${collection}}:df`, redisTerm as string)).toBe(0);
  });

  it('shrinks its document-frequency hash to nothing when every chunk goes, even with writers racing', async () => {
    const shrinking = `kw-${randomBytes(4).toString('hex')}`;
    const df = `r:{${shrinking}}:df`;
    try {
      // Many distinct terms, as a large document has: each chunk its own words plus shared ones.
      const chunks = Array.from({ length: 40 }, (_, c) => ({
        id: `c${c}`,
        text: `shared words everywhere ${Array.from({ length: 60 }, (_, w) => `zq${c}x${w}`).join(' ')}`,
      }));
      await indexChunks(redis, shrinking, chunks);
      const indexedFields = await redis.hlen(df);
      expect(indexedFields).toBeGreaterThan(40 * 60);
      const [shared] = terms('shared');

      // Half go while the other half is indexed again (a replace): every count stays exact.
      await Promise.all([
        removeChunks(redis, shrinking, chunks.slice(0, 20).map((c) => c.id)),
        removeChunks(redis, shrinking, chunks.slice(20).map((c) => c.id)).then(() => indexChunks(redis, shrinking, chunks.slice(20))),
      ]);
      expect(await redis.hget(df, shared as string)).toBe('20');
      const values = Object.values(await redis.hgetall(df)).map(Number);
      expect(values.filter((v) => v <= 0)).toEqual([]);

      await removeChunks(redis, shrinking, chunks.slice(20).map((c) => c.id));
      expect(await redis.hlen(df)).toBe(0);
      expect(await redis.exists(df)).toBe(0);
      expect(await redis.hget(`r:{${shrinking}}:stats`, 'chunks')).toBe('0');
      expect(await searchKeywords(redis, shrinking, 'shared words', 10)).toEqual([]);
    } finally {
      await deleteRedisPrefix(redis, `r:{${shrinking}}:`);
    }
  });

  it(`reads at most ${maxPostingsPerTerm} postings per term: the chunks where the term is most frequent`, async () => {
    const common = `kw-${randomBytes(4).toString('hex')}`;
    try {
      const chunks = Array.from({ length: maxPostingsPerTerm + 20 }, (_, c) => ({ id: `c${c}`, text: c === 7 ? 'ubiquitous ubiquitous ubiquitous' : 'ubiquitous' }));
      await indexChunks(redis, common, chunks);
      // Every posting is stored; a query reads the bounded best of them.
      const [term] = terms('ubiquitous');
      expect(await redis.zcard(`r:{${common}}:p:${term as string}`)).toBe(maxPostingsPerTerm + 20);
      const hits = await searchKeywords(redis, common, 'ubiquitous', 100_000);
      expect(hits).toHaveLength(maxPostingsPerTerm);
      expect(hits[0]?.id).toBe('c7');
    } finally {
      await deleteRedisPrefix(redis, `r:{${common}}:`);
    }
  });

  it('moves an index kept in the layout before hash tags to the tagged keys on first touch, payloads left where they are', async () => {
    const old = `kw-${randomBytes(4).toString('hex')}`;
    const [term] = terms('legacy');
    try {
      // What the previous version wrote for one chunk "legacy legacy words" (two terms, length 3).
      const [words] = terms('words');
      await redis
        .multi()
        .zadd(`r:${old}:p:${term as string}`, 2, 'x')
        .zadd(`r:${old}:p:${words as string}`, 1, 'x')
        .sadd(`r:${old}:t:x`, term as string, words as string)
        .hset(`r:${old}:len`, 'x', 3)
        .hset(`r:${old}:df`, term as string, 1, words as string, 1)
        .hset(`r:${old}:stats`, 'chunks', 1, 'terms', 3)
        .hset(`r:${old}:c`, 'x', '{}')
        .exec();
      // The first touch moves it, and the search answers from the moved keys.
      expect((await searchKeywords(redis, old, 'legacy', 5)).map((hit) => hit.id)).toEqual(['x']);
      expect(await redis.exists(`r:${old}:stats`, `r:${old}:len`, `r:${old}:df`, `r:${old}:t:x`, `r:${old}:p:${term as string}`)).toBe(0);
      expect(await redis.hget(`r:{${old}}:stats`, 'terms')).toBe('3');
      expect(await redis.hget(`r:${old}:c`, 'x')).toBe('{}');
      expect(await termStatistics(redis, old, [term as string])).toEqual({ chunks: 1, documentFrequency: [1] });
      await removeChunks(redis, old, ['x']);
      expect(await redis.hget(`r:{${old}}:stats`, 'chunks')).toBe('0');
      expect(await redis.exists(`r:{${old}}:p:${term as string}`, `r:{${old}}:t:x`)).toBe(0);
      // Known in this process now: a second call looks nothing up.
      expect(await migrateLegacyIndex(redis, old)).toBe(0);
    } finally {
      await deleteRedisPrefix(redis, `r:{${old}}:`);
      await deleteRedisPrefix(redis, `r:${old}:`);
    }
  });
});
