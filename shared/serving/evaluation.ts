/** How well scores in [0, 1] predict labels in {0, 1}: what a training step reports for a held-out split. */

export interface CalibrationBucket {
  /** The bucket is [lower, upper) of the predicted probability (the last includes 1). */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability of the bucket's rows (undefined when empty). */
  meanPredicted?: number;
  /** Share of the bucket's rows whose label is 1 (undefined when empty). */
  observedRate?: number;
}

export interface BinaryEvaluation {
  rows: number;
  positives: number;
  /** Area under the ROC curve; undefined when the rows hold only one class. Ties count one half. */
  auc?: number;
  /** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]. */
  logLoss: number;
  /** Share of rows where (score >= threshold) equals the label. */
  accuracy: number;
  /** Brier score: the mean squared difference of score and label. */
  brier: number;
  calibration: CalibrationBucket[];
}

/**
 * AUC as the Mann-Whitney statistic: the chance that a random positive scores above a random
 * negative. Sorting once and ranking ties by their average rank makes it O(n log n).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | undefined {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function evaluateBinary(scores: ArrayLike<number>, labels: ArrayLike<number>, options: { threshold?: number; buckets?: number } = {}): BinaryEvaluation {
  const n = scores.length;
  if (n === 0) throw new Error('no rows to evaluate');
  const threshold = options.threshold ?? 0.5;
  const bucketCount = options.buckets ?? 10;
  const sums = Array.from({ length: bucketCount }, () => ({ count: 0, predicted: 0, positives: 0 }));
  let positives = 0;
  let logLoss = 0;
  let correct = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const p = scores[i] as number;
    const y = labels[i] as number;
    positives += y;
    const clipped = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    logLoss -= y === 1 ? Math.log(clipped) : Math.log(1 - clipped);
    if ((p >= threshold ? 1 : 0) === y) correct++;
    brier += (p - y) ** 2;
    const bucket = sums[Math.min(bucketCount - 1, Math.max(0, Math.floor(p * bucketCount)))]!;
    bucket.count++;
    bucket.predicted += p;
    bucket.positives += y;
  }
  const auc = rocAuc(scores, labels);
  return {
    rows: n,
    positives,
    ...(auc === undefined ? {} : { auc }),
    logLoss: logLoss / n,
    accuracy: correct / n,
    brier: brier / n,
    calibration: sums.map((bucket, i) => ({
      lower: i / bucketCount,
      upper: (i + 1) / bucketCount,
      count: bucket.count,
      ...(bucket.count ? { meanPredicted: bucket.predicted / bucket.count, observedRate: bucket.positives / bucket.count } : {}),
    })),
  };
}
