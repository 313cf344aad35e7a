import type { RedisClient } from '../storage/redis-client.js';
import { callDependency } from '../storage/dependency.js';

/**
 * The text and provenance of each chunk, in one Redis hash per collection
 * (`r:<collection>:c`, chunk id -> JSON), so vector and keyword hits resolve to citations in
 * one round trip whichever index found them.
 */
export interface ChunkPayload {
  documentId: string;
  title: string;
  index: number;
  heading?: string;
  text: string;
}

const key = (collection: string) => `r:${collection}:c`;

export async function writePayloads(redis: RedisClient, collection: string, payloads: ReadonlyMap<string, ChunkPayload>): Promise<void> {
  if (!payloads.size) return;
  await callDependency('redis', () => redis.hset(key(collection), Object.fromEntries([...payloads].map(([id, p]) => [id, JSON.stringify(p)]))));
}

export async function removePayloads(redis: RedisClient, collection: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await callDependency('redis', () => redis.hdel(key(collection), ...ids));
}

export async function readPayloads(redis: RedisClient, collection: string, ids: readonly string[]): Promise<Map<string, ChunkPayload>> {
  if (!ids.length) return new Map();
  const values = await callDependency('redis', () => redis.hmget(key(collection), ...ids));
  const out = new Map<string, ChunkPayload>();
  ids.forEach((id, i) => {
    const value = values[i];
    if (value) out.set(id, JSON.parse(value) as ChunkPayload);
  });
  return out;
}
