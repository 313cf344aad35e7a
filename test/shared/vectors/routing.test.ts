import { describe, expect, it } from 'vitest';
import { shardOf } from '../../../shared/vectors/routing.js';

/** FNV-1a 32 written with BigInt arithmetic over Buffer bytes: the same function, computed another way. */
function fnv1a(id: string): bigint {
  let hash = 2166136261n;
  for (const byte of Buffer.from(id, 'utf8')) hash = ((hash ^ BigInt(byte)) * 16777619n) % 2n ** 32n;
  return hash;
}

describe('shard routing by FNV-1a', () => {
  it('gives the published FNV-1a 32 values', () => {
    // Test vectors of the FNV reference (Fowler, Noll, Vo): "" -> 811c9dc5, "a" -> e40c292c, "foobar" -> bf9cf968.
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
  });

  it('agrees with a BigInt FNV-1a over UTF-8 bytes for ASCII, accented and astral ids', () => {
    for (const id of ['doc-42', 'é', 'Ünïcödé', '🙂 smile', 'x'.repeat(300), '\u0000']) {
      for (const shards of [1, 2, 3, 7, 16, 1000]) expect(shardOf(id, shards), `${id} / ${shards}`).toBe(Number(fnv1a(id) % BigInt(shards)));
    }
  });

  it('puts everything in shard 0 of 1', () => {
    expect(shardOf('anything', 1)).toBe(0);
  });
});
