import { mulberry32 } from '../../shared/platform/mulberry32.js';

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
  const next = mulberry32(seed);
  const uniform = () => next() / 4_294_967_296;
  return {
    uniform,
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    below: (n) => Math.floor(uniform() * n),
  };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
