import { describe, expect, it } from 'vitest';
import { chooseVariant, keyPoint, mirrored, routingResolution, variantAt } from '../../../shared/serving/routing.js';

describe('routing', () => {
  const variants = (stable: number, canary: number) => [
    { name: 'stable', weight: stable },
    { name: 'canary', weight: canary },
  ];

  it('gives each variant the slice its weight says', () => {
    expect(variantAt(variants(95, 5), 0).name).toBe('stable');
    expect(variantAt(variants(95, 5), 9_499).name).toBe('stable');
    expect(variantAt(variants(95, 5), 9_500).name).toBe('canary');
    expect(variantAt(variants(100, 0), routingResolution - 1).name).toBe('stable');
    expect(variantAt(variants(0, 100), 0).name).toBe('canary');
  });

  it('keeps a key on the candidate (listed last) while its weight grows', () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => `key-${i}`);
    let onCanary = new Set<string>();
    for (const weight of [5, 25, 50, 100]) {
      const now = new Set(keys.filter((key) => chooseVariant(variants(100 - weight, weight), key).name === 'canary'));
      for (const key of onCanary) expect(now.has(key), key).toBe(true);
      // About the weight's share of keys (the hash spreads them evenly).
      expect(Math.abs(now.size / keys.length - weight / 100)).toBeLessThan(0.05);
      onCanary = now;
    }
  });

  it('hashes a key to the same point every time, and mirrors a stable share of keys', () => {
    expect(keyPoint('user-1')).toBe(keyPoint('user-1'));
    expect(keyPoint('user-1')).not.toBe(keyPoint('user-2'));
    const keys = Array.from({ length: 2_000 }, (_, i) => `k${i}`);
    const share = keys.filter((key) => mirrored(10, key)).length / keys.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(0.03);
    expect(keys.filter((key) => mirrored(10, key))).toEqual(keys.filter((key) => mirrored(10, key)));
    expect(mirrored(0, 'k1')).toBe(false);
    expect(mirrored(100, 'k1')).toBe(true);
  });
});
