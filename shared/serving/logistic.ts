/**
 * Binary logistic regression with an L2 penalty, fitted by Newton's method (IRLS).
 *
 * The objective, for rows x_i with labels y_i in {0, 1}:
 *   L(w, b) = sum_i [ log(1 + exp(z_i)) - y_i z_i ] + (l2 / 2) |w|^2,   z_i = x_i . w + b
 * The bias is not penalised (as scikit-learn and glmnet leave the intercept alone). L is convex;
 * with l2 > 0 it is strictly convex in w, so the optimum is unique and finite even when the
 * classes are separable. Newton steps are exact second-order steps on a (d+1)-square system, so
 * a few iterations reach the optimum to machine precision for the dimensions a tabular model
 * has (up to a few hundred columns). Deterministic: no randomness, a fixed order of sums.
 */
export interface LogisticFitOptions {
  /** The L2 penalty on the weights (not the bias); 0 is plain maximum likelihood. */
  l2: number;
  maxIterations?: number;
  /** Stop when the largest gradient component, relative to the row count, is below this. */
  tolerance?: number;
}

export interface LogisticFit {
  weights: number[];
  bias: number;
  iterations: number;
  /** False when the iteration cap came first (e.g. separable classes with l2 = 0: the optimum is at infinity). */
  converged: boolean;
  /** The objective above at the answer. */
  objective: number;
  /** The largest absolute component of the objective's gradient at the answer. */
  gradientNorm: number;
}

/** A dense row-major matrix: row i is values[i * columns ... (i + 1) * columns). */
export interface Design {
  rows: number;
  columns: number;
  values: Float64Array;
}

export function sigmoid(z: number): number {
  // Two forms, so exp never overflows.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function linear(x: Design, row: number, weights: ArrayLike<number>, bias: number): number {
  let z = bias;
  const offset = row * x.columns;
  for (let j = 0; j < x.columns; j++) z += (x.values[offset + j] as number) * (weights[j] as number);
  return z;
}

export function logisticObjective(x: Design, y: ArrayLike<number>, weights: ArrayLike<number>, bias: number, l2: number): number {
  let total = 0;
  for (let i = 0; i < x.rows; i++) {
    const z = linear(x, i, weights, bias);
    total += softplus(z) - (y[i] as number) * z;
  }
  let norm = 0;
  for (let j = 0; j < x.columns; j++) norm += (weights[j] as number) ** 2;
  return total + (l2 / 2) * norm;
}

/** The objective's gradient: [d/dw_1 ... d/dw_d, d/db]. */
export function logisticGradient(x: Design, y: ArrayLike<number>, weights: ArrayLike<number>, bias: number, l2: number): number[] {
  const gradient = new Array<number>(x.columns + 1).fill(0);
  for (let i = 0; i < x.rows; i++) {
    const residual = sigmoid(linear(x, i, weights, bias)) - (y[i] as number);
    const offset = i * x.columns;
    for (let j = 0; j < x.columns; j++) gradient[j] = (gradient[j] as number) + residual * (x.values[offset + j] as number);
    gradient[x.columns] = (gradient[x.columns] as number) + residual;
  }
  for (let j = 0; j < x.columns; j++) gradient[j] = (gradient[j] as number) + l2 * (weights[j] as number);
  return gradient;
}

/**
 * Solves A s = g for a symmetric positive definite A (row-major, n x n) by Cholesky; A is
 * overwritten. Returns undefined when A is not positive definite (numerically singular).
 */
function choleskySolve(a: Float64Array, g: readonly number[], n: number): number[] | undefined {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j] as number;
    for (let k = 0; k < j; k++) diagonal -= (a[j * n + k] as number) ** 2;
    if (!(diagonal > 1e-300)) return undefined;
    const root = Math.sqrt(diagonal);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (a[i * n + k] as number) * (a[j * n + k] as number);
      a[i * n + j] = sum / root;
    }
  }
  const z = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let sum = g[i] as number;
    for (let k = 0; k < i; k++) sum -= (a[i * n + k] as number) * (z[k] as number);
    z[i] = sum / (a[i * n + i] as number);
  }
  const s = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (a[k * n + i] as number) * (s[k] as number);
    s[i] = sum / (a[i * n + i] as number);
  }
  return s;
}

export function fitLogistic(x: Design, y: ArrayLike<number>, options: LogisticFitOptions): LogisticFit {
  if (x.rows === 0) throw new Error('no rows to fit');
  if (!(options.l2 >= 0) || !Number.isFinite(options.l2)) throw new Error('l2 must be a finite number >= 0');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const d = x.columns;
  const n = d + 1;
  const weights = new Array<number>(d).fill(0);
  // Starting at the intercept-only optimum makes the first step smaller and the fit converge in fewer steps.
  let positives = 0;
  for (let i = 0; i < x.rows; i++) positives += y[i] as number;
  const rate = Math.min(Math.max(positives / x.rows, 1e-6), 1 - 1e-6);
  let bias = Math.log(rate / (1 - rate));
  let objective = logisticObjective(x, y, weights, bias, options.l2);
  let gradient = logisticGradient(x, y, weights, bias, options.l2);
  const largest = (g: readonly number[]) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let iterations = 0;
  let converged = largest(gradient) <= tolerance * x.rows;

  while (!converged && iterations < maxIterations) {
    iterations++;
    // Hessian: X~^T S X~ + l2 I (weights only), S = diag(p (1 - p)), X~ = [X, 1].
    const hessian = new Float64Array(n * n);
    const row = new Float64Array(n);
    for (let i = 0; i < x.rows; i++) {
      const p = sigmoid(linear(x, i, weights, bias));
      const s = p * (1 - p);
      if (s === 0) continue;
      const offset = i * d;
      for (let j = 0; j < d; j++) row[j] = x.values[offset + j] as number;
      row[d] = 1;
      for (let j = 0; j < n; j++) {
        const sj = s * (row[j] as number);
        if (sj === 0) continue;
        for (let k = 0; k <= j; k++) hessian[j * n + k] = (hessian[j * n + k] as number) + sj * (row[k] as number);
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) hessian[k * n + j] = hessian[j * n + k] as number;
    for (let j = 0; j < d; j++) hessian[j * n + j] = (hessian[j * n + j] as number) + options.l2;
    // A tiny ridge keeps a singular Hessian (a constant column, l2 = 0) solvable.
    let step = choleskySolve(hessian.slice(), gradient, n);
    for (let ridge = 1e-10; !step && ridge < 1e6; ridge *= 100) {
      const damped = hessian.slice();
      for (let j = 0; j < n; j++) damped[j * n + j] = (damped[j * n + j] as number) + ridge * x.rows;
      step = choleskySolve(damped, gradient, n);
    }
    if (!step) break;

    // Backtracking: Newton's step may overshoot far from the optimum; halve until the objective falls.
    let scale = 1;
    let next: { weights: number[]; bias: number; objective: number } | undefined;
    for (let halving = 0; halving < 40; halving++, scale /= 2) {
      const candidate = weights.map((w, j) => w - scale * (step[j] as number));
      const candidateBias = bias - scale * (step[d] as number);
      const value = logisticObjective(x, y, candidate, candidateBias, options.l2);
      if (value <= objective + 1e-12 * Math.abs(objective)) {
        next = { weights: candidate, bias: candidateBias, objective: value };
        break;
      }
    }
    if (!next) break;
    const moved = Math.max(...step.map((v) => Math.abs(v * scale)));
    weights.splice(0, d, ...next.weights);
    bias = next.bias;
    objective = next.objective;
    gradient = logisticGradient(x, y, weights, bias, options.l2);
    // Both the gradient and the step must be small: on separable classes without a penalty the
    // gradient fades while the weights keep growing by about the same step: no optimum to reach.
    const size = Math.max(1, Math.abs(bias), ...weights.map(Math.abs));
    converged = moved === 0 || (largest(gradient) <= tolerance * x.rows && moved <= 1e-6 * size);
  }
  return { weights, bias, iterations, converged, objective, gradientNorm: largest(gradient) };
}

/** Probabilities for each row of x. */
export function predictLogistic(x: Design, weights: readonly number[], bias: number): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = sigmoid(linear(x, i, weights, bias));
  return out;
}
