import { describe, expect, it } from 'vitest';
import { evaluateBinary, rocAuc } from '../../../shared/serving/evaluation.js';

describe('held-out evaluation', () => {
  it('AUC is the share of (positive, negative) pairs ordered right, ties counting one half', () => {
    // Pairs: positives 0.9, 0.4 against negatives 0.4, 0.1: (0.9>0.4) (0.9>0.1) (0.4=0.4: 1/2) (0.4>0.1) -> 3.5 / 4.
    expect(rocAuc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.1, 0.2, 0.3], [0, 0, 1])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.3], [1, 0, 0])).toBe(0);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeUndefined();
  });

  it('log loss, accuracy, Brier and calibration buckets by hand', () => {
    const scores = [0.9, 0.8, 0.3, 0.05];
    const labels = [1, 0, 0, 0];
    const result = evaluateBinary(scores, labels, { buckets: 4 });
    expect(result.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.95)) / 4, 12);
    expect(result.accuracy).toBe(0.75);
    expect(result.brier).toBeCloseTo((0.01 + 0.64 + 0.09 + 0.0025) / 4, 12);
    expect(result.auc).toBe(1);
    expect(result.calibration.map((b) => b.count)).toEqual([1, 1, 0, 2]);
    expect(result.calibration[3]).toMatchObject({ lower: 0.75, upper: 1, observedRate: 0.5 });
    expect(result.calibration[3]!.meanPredicted).toBeCloseTo(0.85, 12);
    expect(result.calibration[2]!.meanPredicted).toBeUndefined();
    // A score of exactly 1 falls in the last bucket; 0 and 1 are clipped inside the log loss.
    expect(evaluateBinary([1, 0], [1, 0]).calibration.at(-1)!.count).toBe(1);
    expect(Number.isFinite(evaluateBinary([1, 0], [0, 1]).logLoss)).toBe(true);
  });
});
