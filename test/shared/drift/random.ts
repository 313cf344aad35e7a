/** Seeded samples for the drift tests, so every run (and an offline scipy check of a dump) sees the same data. */

/** mulberry32, two draws per double for 53 random bits: small, seeded, good enough for sampling. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67_108_864 + (next32() >>> 6)) / 9_007_199_254_740_992;
}

/** n draws of N(mean, sd^2) by Box-Muller, sorted. */
export function normalSample(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  const uniform = prng(seed);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 - u is in (0, 1]: no log(0)
    const angle = 2 * Math.PI * uniform();
    out[k] = mean + sd * radius * Math.cos(angle);
    if (k + 1 < n) out[k + 1] = mean + sd * radius * Math.sin(angle);
  }
  return out.sort();
}
