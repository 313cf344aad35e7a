/** Seeded samples for the drift tests, so every run (and an offline scipy check of a dump) sees the same data. */
// The drift study's generator (mulberry32, 53 random bits a double): one seeded source for both.
import { prng } from '../../../tools/drift-study/scenarios.js';

export { prng };

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
