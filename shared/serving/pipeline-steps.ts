import { defineStepType, type StepType } from '../pipelines/step-type.js';
import { modelsContainer } from './artifacts.js';
import { trainLogisticModel, trainRequestSchema } from './train.js';

/**
 * Training as a pipeline step: ingest -> ETL -> features -> training set -> train -> register
 * is one pipeline a user can schedule. Outputs are small: the version, its held-out figures and,
 * for up to 64 columns, the weights (a pipeline's later steps and its run page show them).
 */
export const modelTrainStep = defineStepType({
  name: 'model.train',
  description:
    'Fits a binary logistic regression (L2) on a training-set parquet blob, evaluates it on a held-out split (AUC, log loss, accuracy, calibration), writes ONNX and registers the next version of the model.',
  input: trainRequestSchema,
  run: async (input, context) => {
    const result = await trainLogisticModel(context.services, input, { runId: context.runId, step: context.stepId, signal: context.signal });
    context.lineage.read({ container: input.trainingSet.container, name: input.trainingSet.blob });
    context.lineage.wrote({ container: modelsContainer, name: result.version.artifact.name });
    const evaluation = result.evaluation;
    return {
      model: result.version.model,
      version: result.version.version,
      sha256: result.version.artifact.sha256,
      trainRows: result.trainRows,
      droppedRows: result.droppedRows,
      iterations: result.iterations,
      converged: result.converged,
      trainingMs: Math.round(result.trainingMs),
      ...(evaluation
        ? {
            testRows: evaluation.rows,
            ...(evaluation.auc === undefined ? {} : { auc: evaluation.auc }),
            logLoss: evaluation.logLoss,
            accuracy: evaluation.accuracy,
            calibration: evaluation.calibration,
          }
        : {}),
      ...(result.weights.length <= 64 ? { weights: result.weights, bias: result.bias } : {}),
    };
  },
});

/** The step types serving brings; the composition root (functions/) registers them. */
export const servingStepTypes: readonly StepType[] = [modelTrainStep];
