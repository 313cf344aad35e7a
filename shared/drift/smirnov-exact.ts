/**
 * The exact null distribution of the two-sample Kolmogorov-Smirnov statistic (Smirnov's), pure.
 *
 * Under H0 (one continuous distribution, no ties) the merged order of the two samples is a
 * uniformly random arrangement of n reference and m current values, that is a uniformly random
 * monotone lattice path from (0, 0) to (n, m), and the statistic is max |i m - j n| / (n m)
 * over the points (i, j) of the path. So P(D >= w / (n m)) is the share of paths that touch
 * the band's edge |i m - j n| >= w.
 *
 * Counting paths overflows doubles from n + m of about 1,030 on, so the walk is done in
 * probabilities instead: from (i, j) the next value is a reference one with probability
 * (n - i) / ((n - i) + (m - j)), drawing without replacement, which gives each path
 * probability 1 / C(n + m, n). The mass that steps onto the edge is summed as it leaves and
 * never continues. The answer is that sum of positive terms, not 1 minus the mass that stays
 * inside, so a p-value of 1e-200 keeps its digits instead of cancelling to 0.
 *
 * Cost: one step per lattice point inside the band, about 2 w + 2 n of them.
 */

/** Greatest common divisor of two non-negative integers. */
export function greatestCommonDivisor(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const rest = x % y;
    x = y;
    y = rest;
  }
  return x;
}

/**
 * P(max |i m - j n| >= w) over a uniformly random path, for sample sizes n, m >= 1 and an
 * integer w (the observed distance in units of 1 / (n m)). w <= 0 gives 1. Every product i m,
 * j n and w must stay below 2^53 (sizes up to about 9e7 each), so the band test is exact.
 */
export function smirnovExactSurvival(n: number, m: number, w: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) throw new RangeError(`sample sizes must be integers >= 1, got ${n} and ${m}`);
  if (!Number.isInteger(w)) throw new RangeError(`w must be an integer, got ${w}`);
  if (w <= 0) return 1;
  // Every step divides by the values still to draw, r + (m - j) + 1 = 1 .. n + m: look the
  // reciprocals up once instead of dividing per lattice point.
  const reciprocal = new Float64Array(n + m + 2);
  for (let k = 1; k < reciprocal.length; k++) reciprocal[k] = 1 / k;
  // mass[j] is the probability of being at (i, j) without having touched the edge, for the row
  // i being built; zero outside the band.
  const mass = new Float64Array(m + 1);
  mass[0] = 1;
  let escaped = 0;
  let previousLowest = 0;
  for (let i = 0; i <= n; i++) {
    // Inside the band in row i: (i m - w) / n < j < (i m + w) / n. The band moves right as i grows.
    const lowest = Math.max(0, Math.floor((i * m - w) / n) + 1);
    const highest = Math.min(m, Math.ceil((i * m + w) / n) - 1);
    const remaining = n - i;
    if (i > 0) {
      // Cells of row i - 1 left of the new band: their step down lands on the edge.
      for (let j = previousLowest; j < lowest; j++) {
        escaped += (mass[j] as number) * (remaining + 1) * (reciprocal[remaining + m - j + 1] as number);
        mass[j] = 0;
      }
    }
    // (i, j) is reached down from (i - 1, j), a reference value drawn with probability
    // (remaining + 1) / (remaining + 1 + m - j), or right from (i, j - 1), a current value drawn
    // with probability (m - j + 1) / (remaining + m - j + 1): the same denominator.
    for (let j = i === 0 ? Math.max(lowest, 1) : lowest; j <= highest; j++) {
      const down = i === 0 ? 0 : (mass[j] as number) * (remaining + 1);
      const right = j === 0 ? 0 : (mass[j - 1] as number) * (m - j + 1);
      mass[j] = (down + right) * (reciprocal[remaining + m - j + 1] as number);
    }
    // The step right from the band's last cell lands on the edge.
    if (highest < m) escaped += (mass[highest] as number) * (m - highest) * (reciprocal[remaining + m - highest] as number);
    previousLowest = lowest;
  }
  return Math.min(1, escaped);
}
