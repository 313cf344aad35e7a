/**
 * Which shard an id lives in: FNV-1a (32 bit) of the id's UTF-8 bytes, modulo the shard count.
 * Stable across processes, engines and releases; changing it would strand every stored item.
 */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
