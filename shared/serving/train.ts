import { z } from 'zod';
import { featureRefSchema } from '../features/definitions.js';
import { ValidationError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { blobName, dataContainerName } from '../storage/blob-names.js';
import type { BlobRef } from '../storage/blob-files.js';
import { modelStages, servingName, type Column, type Lineage } from './definitions.js';
import { evaluateBinary, type BinaryEvaluation } from './evaluation.js';
import { fitLogistic, predictLogistic } from './logistic.js';
import { logisticRegressionOnnx } from './onnx-writer.js';
import { registerModelVersion, type ModelVersion } from './registry.js';
import { loadTrainingSet, splitRows, takeRows } from './training-set.js';

/** A training-set column: a feature reference (`view:feature`, served from the online store) or a raw input name (sent with each request). */
const trainingColumn = z.union([featureRefSchema, servingName]);

export const trainRequestSchema = z.strictObject({
  /** The training set: a parquet blob in a data container, as `POST /api/features/historical` writes one. */
  trainingSet: z.strictObject({ container: dataContainerName, blob: blobName }),
  label: z.string().min(1).max(200),
  features: z
    .array(trainingColumn)
    .min(1)
    .max(500)
    .superRefine((columns, context) => {
      columns.forEach((column, i) => {
        if (columns.indexOf(column) !== i) context.addIssue({ code: 'custom', path: [i], message: `"${column}" is listed twice` });
      });
    }),
  /** The registered model the version is added to (created as a binary classifier when new). */
  model: servingName,
  /** L2 penalty on the weights (the bias is not penalised); see logistic.ts for the objective. */
  l2: z.number().finite().min(0).max(1e9).default(1),
  testFraction: z.number().min(0).max(0.9).default(0.2),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  maxIterations: z.number().int().min(1).max(1000).default(100),
  /** Served when a feature is missing or stale at predict time; without one such a request is refused (422). */
  defaults: z.record(z.string(), z.number().finite()).optional(),
  stage: z.enum(modelStages).default('none'),
  description: z.string().max(2000).optional(),
});
export type TrainRequest = z.output<typeof trainRequestSchema>;

export interface TrainResult {
  version: ModelVersion;
  /** Weights as the ONNX file holds them (float32), one per feature column in order. */
  weights: number[];
  bias: number;
  iterations: number;
  converged: boolean;
  trainRows: number;
  droppedRows: number;
  evaluation?: BinaryEvaluation;
  /** Wall time of reading, fitting and evaluating (not registering). */
  trainingMs: number;
}

/** Flattened for the registry's metrics (named numbers): held-out figures and the fit's facts. */
function registryMetrics(result: Omit<TrainResult, 'version' | 'trainingMs'>, l2: number): Record<string, number> {
  const metrics: Record<string, number> = {
    train_rows: result.trainRows,
    dropped_rows: result.droppedRows,
    iterations: result.iterations,
    converged: result.converged ? 1 : 0,
    l2,
  };
  const evaluation = result.evaluation;
  if (evaluation) {
    metrics.test_rows = evaluation.rows;
    if (evaluation.auc !== undefined) metrics.auc = evaluation.auc;
    metrics.log_loss = evaluation.logLoss;
    metrics.accuracy = evaluation.accuracy;
    metrics.brier = evaluation.brier;
    evaluation.calibration.forEach((bucket, i) => {
      metrics[`calibration_${i}_count`] = bucket.count;
      if (bucket.meanPredicted !== undefined) metrics[`calibration_${i}_predicted`] = bucket.meanPredicted;
      if (bucket.observedRate !== undefined) metrics[`calibration_${i}_observed`] = bucket.observedRate;
    });
  }
  return metrics;
}

/**
 * Trains a binary logistic regression on a training set and registers it as the next version
 * of `model`: read (DuckDB), split (seeded), fit (Newton, logistic.ts), evaluate on the held-out
 * rows, write ONNX (onnx-writer.ts) and register with metrics and lineage (registry.ts).
 */
export async function trainLogisticModel(
  services: Services,
  request: TrainRequest,
  context: { runId?: string; step?: string; pipeline?: string; signal?: AbortSignal; now?: Date },
): Promise<TrainResult> {
  const started = performance.now();
  const blob: BlobRef = { container: request.trainingSet.container, name: request.trainingSet.blob };
  const loaded = await loadTrainingSet(services, blob, request.label, request.features, context.signal ? { signal: context.signal } : {});
  for (const key of Object.keys(request.defaults ?? {})) {
    if (!request.features.includes(key)) throw new ValidationError([{ field: `defaults.${key}`, problem: 'is not one of the features' }]);
  }
  const split = splitRows(loaded.x.rows, request.testFraction, request.seed);
  const train = takeRows(loaded.x, loaded.y, split.train);
  const fit = fitLogistic(train.x, train.y, { l2: request.l2, maxIterations: request.maxIterations });
  // The file holds float32 weights: evaluate and report exactly what will be served.
  const weights = fit.weights.map((w) => Math.fround(w));
  const bias = Math.fround(fit.bias);
  let evaluation: BinaryEvaluation | undefined;
  if (split.test.length) {
    const test = takeRows(loaded.x, loaded.y, split.test);
    evaluation = evaluateBinary(predictLogistic(test.x, weights, bias), test.y);
  }
  const trainingMs = performance.now() - started;

  const columns: Column[] = request.features.map((column) => {
    const fallback = request.defaults?.[column];
    const defaulted = fallback === undefined ? {} : { default: fallback };
    return column.includes(':') ? { feature: column, ...defaulted } : { input: column, type: 'float64' as const, ...defaulted };
  });
  const artifact = logisticRegressionOnnx({ weights, bias, inputName: 'features', outputName: 'probability' }, { metadata: { label: request.label, columns: request.features.join(',') } });
  const facts = { weights, bias, iterations: fit.iterations, converged: fit.converged, trainRows: train.x.rows, droppedRows: loaded.droppedNull, ...(evaluation ? { evaluation } : {}) };
  const lineage: Lineage = {
    trainingSet: { container: blob.container, name: blob.name },
    ...(context.pipeline ? { pipeline: context.pipeline } : {}),
    ...(context.runId ? { runId: context.runId } : {}),
    ...(context.step ? { step: context.step } : {}),
  };
  const version = await registerModelVersion(services, {
    model: request.model,
    artifact,
    metadata: {
      signature: {
        inputs: [{ name: 'features', type: 'float32', shape: [-1, columns.length], columns }],
        outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }],
      },
      metrics: registryMetrics(facts, request.l2),
      lineage,
      stage: request.stage,
      ...(request.description === undefined ? {} : { description: request.description }),
    },
    createModel: { task: 'binary_classification' },
    ...(context.now ? { now: context.now } : {}),
  });
  return { version, ...facts, trainingMs };
}
