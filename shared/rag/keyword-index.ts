import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisClient } from '../storage/redis-client.js';
import { callDependency } from '../storage/dependency.js';
import { terms } from './text.js';

/**
 * A BM25 keyword index in Redis, per collection (docs/rag.md "Keyword index in Redis"):
 *   r:{<collection>}:p:<term>   sorted set  chunk id -> term frequency  (postings)
 *   r:{<collection>}:t:<chunk>  set         the chunk's terms           (for removal)
 *   r:{<collection>}:len        hash        chunk id -> length in terms
 *   r:{<collection>}:df         hash        term -> chunks containing it (a term no chunk holds has no field)
 *   r:{<collection>}:stats      hash        chunks, terms                (N and total length)
 * `{<collection>}` is a hash tag: every key of one collection's index is in one hash slot, so
 * the transactions and scripts below, which touch many of them at once, are allowed on a Redis
 * Cluster (Azure Managed Redis refuses cross-slot transactions and scripts). The tag is the same
 * for every key of a collection whatever its name holds, as all start `r:{<collection>}:`.
 * A query reads the postings of its terms only, at most maxPostingsPerTerm each: one pipelined
 * round trip, then the lengths of the candidates in a second.
 */
const k1 = 1.2;
const b = 0.75;

/**
 * Postings read per query term: the chunks where the term is most frequent (ties: by chunk id,
 * descending). A term in more chunks than this has a low IDF, so the rest add little to any
 * score, while reading them all (`ZRANGE 0 -1`) costs time and memory in proportion to the
 * collection; with the bound a query reads at most this many postings per term.
 */
export const maxPostingsPerTerm = 5_000;

const key = (collection: string, ...parts: string[]) => [`r:{${collection}}`, ...parts].join(':');
/** The layout before hash tags (`r:<collection>:...`), read only to migrate it. */
const legacyKey = (collection: string, ...parts: string[]) => ['r', collection, ...parts].join(':');

/**
 * Moves an index kept in the layout before hash tags to the tagged names, all keys in one script
 * so no reader sees half of each: KEYS are (old, new) pairs, the old stats hash last. Runs only
 * where that layout can exist, a single-node Redis (its transactions never worked on a cluster),
 * and does nothing when the new stats hash exists already (another host migrated first).
 */
const migrateScript = `
if redis.call('EXISTS', KEYS[#KEYS]) == 1 or redis.call('EXISTS', KEYS[#KEYS - 1]) == 0 then return 0 end
local moved = 0
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
    moved = moved + 1
  end
end
return moved`;

/** Collections known to be in the tagged layout, per client: the check costs one EXISTS per process. */
const migrated = new WeakMap<RedisClient, Set<string>>();

/**
 * Brings a collection indexed before hash tags into the tagged layout on first touch (per
 * process). The chunk payloads (`r:<collection>:c`, chunk-payloads.ts) are one key and keep
 * their name. Returns how many keys moved.
 */
export async function migrateLegacyIndex(redis: RedisClient, collection: string): Promise<number> {
  const known = migrated.get(redis) ?? new Set<string>();
  migrated.set(redis, known);
  if (known.has(collection) || redis.isCluster) return 0;
  const redisNode = redis as Redis;
  let moved = 0;
  if (await redisNode.exists(legacyKey(collection, 'stats'))) {
    const prefix = redisNode.options.keyPrefix ?? '';
    const legacyPrefix = legacyKey(collection, '');
    const pairs: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redisNode.scan(cursor, 'MATCH', `${globEscaped(prefix + legacyPrefix)}*`, 'COUNT', 1_000);
      cursor = next;
      for (const name of found) {
        const rest = name.slice(prefix.length + legacyPrefix.length);
        if (rest === 'c' || rest === 'stats') continue; // the payloads stay; stats go last
        pairs.push(legacyPrefix + rest, key(collection, rest));
      }
    } while (cursor !== '0');
    pairs.push(legacyKey(collection, 'stats'), key(collection, 'stats'));
    try {
      moved = Number(await redisNode.eval(migrateScript, pairs.length, ...pairs));
    } catch (error) {
      // A database sharded behind one endpoint (Azure's Enterprise policy, scaled up from one
      // shard) refuses the script: the old keys stay unread rather than failing every search.
      if (!/CROSSSLOT/.test(error instanceof Error ? error.message : String(error))) throw error;
      console.warn(`rag: the keyword index of "${collection}" is in the layout before hash tags and cannot be moved here (CROSSSLOT); re-ingest its documents`);
    }
  }
  known.add(collection);
  return moved;
}

/** `*`, `?`, `[`, `]` and `\` stand for themselves in a SCAN pattern only when escaped. */
const globEscaped = (text: string) => text.replace(/[*?[\]\\]/g, (ch) => `\\${ch}`);

/**
 * Decrements each term's document frequency and deletes the field when it reaches zero, in one
 * script so a concurrent HINCRBY of the same term cannot slip between the decrement and the
 * delete: the hash holds only terms some chunk still has, and shrinks as documents go.
 * KEYS[1] the df hash; ARGV the terms. Returns how many fields were deleted.
 */
const forgetTermsScript = `
local deleted = 0
for i = 1, #ARGV do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], -1) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
    deleted = deleted + 1
  end
end
return deleted`;

const forgetTermsCommand = 'arborForgetTerms';
type ForgetTerms = (dfKey: string, ...terms: string[]) => ChainableCommander;

/** A transaction carrying the script (defined once per connection). */
function forgettingMulti(redis: RedisClient): { multi: ChainableCommander; forgetTerms: ForgetTerms } {
  if (!(forgetTermsCommand in redis)) redis.defineCommand(forgetTermsCommand, { numberOfKeys: 1, lua: forgetTermsScript });
  const multi = redis.multi();
  const command = (multi as unknown as Record<string, ForgetTerms>)[forgetTermsCommand];
  if (!command) throw new Error('the keyword index script is not defined on this transaction');
  return { multi, forgetTerms: command.bind(multi) };
}

/** Terms per script call: keeps one call's arguments and run time small. */
const termsPerCall = 1_000;

export interface KeywordHit {
  id: string;
  score: number;
}

export async function indexChunks(redis: RedisClient, collection: string, chunks: ReadonlyArray<{ id: string; text: string }>): Promise<void> {
  await callDependency('redis', async () => {
    await migrateLegacyIndex(redis, collection);
    const multi = redis.multi();
    for (const chunk of chunks) {
      const counts = new Map<string, number>();
      const chunkTerms = terms(chunk.text);
      for (const t of chunkTerms) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [term, tf] of counts) {
        multi.zadd(key(collection, 'p', term), tf, chunk.id);
        multi.hincrby(key(collection, 'df'), term, 1);
      }
      if (counts.size) multi.sadd(key(collection, 't', chunk.id), ...counts.keys());
      multi.hset(key(collection, 'len'), chunk.id, chunkTerms.length);
      multi.hincrby(key(collection, 'stats'), 'chunks', 1);
      multi.hincrby(key(collection, 'stats'), 'terms', chunkTerms.length);
    }
    await multi.exec();
  });
}

export async function removeChunks(redis: RedisClient, collection: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await callDependency('redis', async () => {
    await migrateLegacyIndex(redis, collection);
    const read = redis.pipeline();
    for (const id of ids) {
      read.smembers(key(collection, 't', id));
      read.hget(key(collection, 'len'), id);
    }
    const replies = (await read.exec()) ?? [];
    const { multi, forgetTerms } = forgettingMulti(redis);
    ids.forEach((id, i) => {
      const chunkTerms = (replies[2 * i]?.[1] as string[] | undefined) ?? [];
      const length = replies[2 * i + 1]?.[1] as string | null | undefined;
      if (length === null || length === undefined) return; // not indexed
      // A posting set left empty is deleted by Redis itself; the df field needs the script.
      for (const term of chunkTerms) multi.zrem(key(collection, 'p', term), id);
      for (let start = 0; start < chunkTerms.length; start += termsPerCall) forgetTerms(key(collection, 'df'), ...chunkTerms.slice(start, start + termsPerCall));
      multi.del(key(collection, 't', id));
      multi.hdel(key(collection, 'len'), id);
      multi.hincrby(key(collection, 'stats'), 'chunks', -1);
      multi.hincrby(key(collection, 'stats'), 'terms', -Number(length));
    });
    for (const [error] of (await multi.exec()) ?? []) if (error) throw error;
  });
}

export async function searchKeywords(redis: RedisClient, collection: string, query: string, k: number): Promise<KeywordHit[]> {
  const queryTerms = [...new Set(terms(query))];
  if (!queryTerms.length) return [];
  return callDependency('redis', async () => {
    await migrateLegacyIndex(redis, collection);
    const read = redis.pipeline();
    read.hmget(key(collection, 'stats'), 'chunks', 'terms');
    read.hmget(key(collection, 'df'), ...queryTerms);
    for (const term of queryTerms) read.zrevrange(key(collection, 'p', term), 0, maxPostingsPerTerm - 1, 'WITHSCORES');
    const replies = (await read.exec()) ?? [];
    const [chunks, totalTerms] = (replies[0]?.[1] as Array<string | null>).map(Number) as [number, number];
    if (!chunks) return [];
    const averageLength = totalTerms / chunks;
    const df = (replies[1]?.[1] as Array<string | null>).map(Number);
    const frequencies = new Map<string, Array<[number, number]>>(); // chunk -> [term index, tf]
    queryTerms.forEach((_, i) => {
      const postings = (replies[2 + i]?.[1] as string[] | undefined) ?? [];
      for (let p = 0; p < postings.length; p += 2) {
        const id = postings[p] as string;
        const list = frequencies.get(id) ?? [];
        list.push([i, Number(postings[p + 1])]);
        frequencies.set(id, list);
      }
    });
    if (!frequencies.size) return [];
    const ids = [...frequencies.keys()];
    const lengths = ((await redis.hmget(key(collection, 'len'), ...ids)) as Array<string | null>).map(Number);
    const hits = ids.map((id, c) => {
      let score = 0;
      for (const [i, tf] of frequencies.get(id) ?? []) {
        const n = df[i] ?? 0;
        const idf = Math.log(1 + (chunks - n + 0.5) / (n + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * (lengths[c] ?? 0)) / averageLength));
      }
      return { id, score };
    });
    return hits.sort((x, y) => y.score - x.score).slice(0, k);
  });
}

export interface TermStatistics {
  /** Chunks in the collection. */
  chunks: number;
  /** Chunks holding each term, in the order asked (0 for a term the collection never uses). */
  documentFrequency: number[];
}

/** How common each term is in the collection: what IDF weights are computed from. */
export async function termStatistics(redis: RedisClient, collection: string, queryTerms: readonly string[]): Promise<TermStatistics> {
  return callDependency('redis', async () => {
    await migrateLegacyIndex(redis, collection);
    const read = redis.pipeline();
    read.hget(key(collection, 'stats'), 'chunks');
    if (queryTerms.length) read.hmget(key(collection, 'df'), ...queryTerms);
    const replies = (await read.exec()) ?? [];
    const chunks = Number(replies[0]?.[1] ?? 0);
    const df = queryTerms.length ? ((replies[1]?.[1] as Array<string | null>) ?? []).map((v) => Math.max(0, Number(v ?? 0))) : [];
    return { chunks, documentFrequency: df };
  });
}
