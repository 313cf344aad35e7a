/**
 * A seeded generator (mulberry32), so `--seed` makes the same data set on every run and every
 * machine: the demo's figures can be compared between runs.
 */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Normal with this mean and standard deviation (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** A whole number in [0, n). */
  below(n: number): number;
}

export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    uniform,
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    below: (n) => Math.floor(uniform() * n),
  };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
