import { describe, expect, it } from 'vitest';
import { fitLogistic, logisticGradient, logisticObjective, sigmoid, type Design } from '../../../shared/serving/logistic.js';
import { splitRows } from '../../../shared/serving/training-set.js';

const design = (rows: number[][]): Design => ({ rows: rows.length, columns: rows[0]?.length ?? 0, values: Float64Array.from(rows.flat()) });
const logit = (p: number) => Math.log(p / (1 - p));

/** A small, fixed, overlapping two-feature data set (labels drawn from a known logistic model by a seeded generator). */
function generated(n: number, seed: number): { x: Design; y: number[] } {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = random() * 4 - 2;
    const b = random() * 2;
    rows.push([a, b]);
    y.push(random() < sigmoid(1.5 * a - 0.7 * b + 0.3) ? 1 : 0);
  }
  return { x: design(rows), y };
}

describe('logistic regression (Newton, L2)', () => {
  it('with one binary feature and no penalty, reaches the closed form: bias = logit(p0), weight = logit(p1) - logit(p0)', () => {
    // x = 0: 3 of 10 positive; x = 1: 6 of 8 positive.
    const rows = [...Array<number[]>(10).fill([0]), ...Array<number[]>(8).fill([1])];
    const y = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0];
    const fit = fitLogistic(design(rows), y, { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.bias).toBeCloseTo(logit(0.3), 10);
    expect(fit.weights[0]).toBeCloseTo(logit(0.75) - logit(0.3), 10);
  });

  it('with no signal in the feature, the weight is 0 and the bias the log-odds of the base rate', () => {
    const rows = [[1], [1], [2], [2], [3], [3]];
    const y = [1, 0, 1, 0, 1, 0];
    const fit = fitLogistic(design(rows), y, { l2: 0 });
    expect(fit.weights[0]).toBeCloseTo(0, 10);
    expect(fit.bias).toBeCloseTo(0, 10);
  });

  it('stops at a point where the gradient (computed independently) is zero, below every nearby point, and recovers the generating model', () => {
    const { x, y } = generated(4000, 7);
    for (const l2 of [0, 0.5, 50]) {
      const fit = fitLogistic(x, y, { l2 });
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeLessThan(15);
      // A central-difference gradient of the objective, independent of the fit's own gradient code.
      const h = 1e-5;
      const at = (w: number[], b: number) => logisticObjective(x, y, w, b, l2);
      const numeric = [
        (at([fit.weights[0]! + h, fit.weights[1]!], fit.bias) - at([fit.weights[0]! - h, fit.weights[1]!], fit.bias)) / (2 * h),
        (at([fit.weights[0]!, fit.weights[1]! + h], fit.bias) - at([fit.weights[0]!, fit.weights[1]! - h], fit.bias)) / (2 * h),
        (at(fit.weights, fit.bias + h) - at(fit.weights, fit.bias - h)) / (2 * h),
      ];
      for (const g of numeric) expect(Math.abs(g)).toBeLessThan(1e-4);
      for (const g of logisticGradient(x, y, fit.weights, fit.bias, l2)) expect(Math.abs(g)).toBeLessThan(1e-6);
      for (const [dw0, dw1, db] of [[0.01, 0, 0], [0, -0.01, 0], [0, 0, 0.01], [-0.01, 0.01, -0.01]] as const) {
        expect(at([fit.weights[0]! + dw0, fit.weights[1]! + dw1], fit.bias + db)).toBeGreaterThan(fit.objective);
      }
    }
    const unpenalised = fitLogistic(x, y, { l2: 0 });
    expect(unpenalised.weights[0]).toBeCloseTo(1.5, 0);
    expect(unpenalised.weights[1]).toBeCloseTo(-0.7, 0);
    // The penalty shrinks the weights, never the bias's freedom.
    const shrunk = fitLogistic(x, y, { l2: 50 });
    expect(Math.hypot(...shrunk.weights)).toBeLessThan(Math.hypot(...unpenalised.weights));
  });

  it('on separable classes: finite with a penalty (gradient zero: l2 w = -X^T(p - y)), not converged without one', () => {
    const x = design([[-2], [-1], [-0.5], [0.5], [1], [2]]);
    const y = [0, 0, 0, 1, 1, 1];
    const penalised = fitLogistic(x, y, { l2: 1 });
    expect(penalised.converged).toBe(true);
    expect(Number.isFinite(penalised.weights[0])).toBe(true);
    // Symmetric data: the bias is 0 by symmetry, and the weight solves w = sum_i x_i (y_i - sigmoid(w x_i)).
    expect(penalised.bias).toBeCloseTo(0, 8);
    const w = penalised.weights[0]!;
    const residual = [-2, -1, -0.5, 0.5, 1, 2].reduce((sum, xi, i) => sum + xi * (y[i]! - sigmoid(w * xi)), 0);
    expect(w).toBeCloseTo(residual, 8);
    const unpenalised = fitLogistic(x, y, { l2: 0, maxIterations: 30 });
    expect(unpenalised.converged).toBe(false);
    expect(unpenalised.weights[0]).toBeGreaterThan(w);
  });

  it('is deterministic, and refuses an empty set or a negative penalty', () => {
    const { x, y } = generated(500, 3);
    expect(fitLogistic(x, y, { l2: 1 })).toEqual(fitLogistic(x, y, { l2: 1 }));
    expect(() => fitLogistic(design([[1]]).rows ? { rows: 0, columns: 1, values: new Float64Array() } : x, [], { l2: 1 })).toThrow(/no rows/);
    expect(() => fitLogistic(x, y, { l2: -1 })).toThrow(/l2/);
  });
});

describe('the held-out split', () => {
  it('depends only on the seed, covers every row once, and holds out the asked share', () => {
    const a = splitRows(100, 0.2, 5);
    expect(a).toEqual(splitRows(100, 0.2, 5));
    expect(a.test).toHaveLength(20);
    expect([...a.train, ...a.test].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(splitRows(100, 0.2, 6).test).not.toEqual(a.test);
    expect(splitRows(2, 0.9, 1).train).toHaveLength(1);
    expect(splitRows(10, 0, 1).test).toHaveLength(0);
  });
});
