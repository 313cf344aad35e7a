import { z } from 'zod';
import { nameSchema } from '../platform/names.js';
import { featureRefSchema } from '../features/definitions.js';
import { blobName, dataContainerName } from '../storage/blob-names.js';

/**
 * Serving's vocabulary: models, their immutable versions and signatures, endpoints. Names
 * become blob paths, Cosmos ids, Redis keys and Prometheus labels, so they are held to a strict
 * pattern here, at the edge, and trusted after.
 */
export const servingName = nameSchema;

export const modelTasks = ['binary_classification', 'regression', 'other'] as const;
export const modelStages = ['none', 'staging', 'production', 'archived'] as const;
export type ModelStage = (typeof modelStages)[number];

export const modelSpecSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  task: z.enum(modelTasks).default('binary_classification'),
});
export type ModelSpec = z.output<typeof modelSpecSchema>;

/** The element types a tensor of a signature may have (the ones numeric features and raw inputs fill). */
export const tensorTypes = ['float32', 'float64'] as const;
export type TensorType = (typeof tensorTypes)[number];

/** A dimension: a size, or -1 for one the caller chooses (the batch). */
const dimension = z.number().int().min(-1).max(1_000_000).refine((d) => d !== 0, 'must be positive, or -1 for any size');

/** A column filled from the online feature store; `default` is served when the value is missing or stale, else the request is refused (422). */
export const featureColumnSchema = z.strictObject({
  feature: featureRefSchema,
  default: z.number().finite().optional(),
});

export const rawInputTypes = ['float64', 'int64', 'bool'] as const;
export type RawInputType = (typeof rawInputTypes)[number];

/** A column the caller sends in the request's `inputs`, by name. */
export const rawColumnSchema = z.strictObject({
  input: servingName,
  type: z.enum(rawInputTypes).default('float64'),
  default: z.number().finite().optional(),
});

export const columnSchema = z.union([featureColumnSchema, rawColumnSchema]);
export type FeatureColumn = z.output<typeof featureColumnSchema>;
export type RawColumn = z.output<typeof rawColumnSchema>;
export type Column = z.output<typeof columnSchema>;

export const isFeatureColumn = (column: Column): column is FeatureColumn => 'feature' in column;

/**
 * An ONNX graph input the signature fills: a [batch, columns] tensor whose columns come, in
 * order, from features and raw inputs.
 */
export const signatureInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  type: z.enum(tensorTypes).default('float32'),
  shape: z.array(dimension).length(2, 'must be [batch, columns], e.g. [-1, 3]'),
  columns: z.array(columnSchema).min(1).max(2000),
});

/** An ONNX graph output the endpoint returns; the first is the score (one number per row). */
export const signatureOutputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  type: z.enum(tensorTypes).default('float32'),
  shape: z.array(dimension).min(1).max(2),
});

export const signatureSchema = z
  .strictObject({
    inputs: z.array(signatureInputSchema).min(1).max(16),
    outputs: z.array(signatureOutputSchema).min(1).max(16),
  })
  .superRefine((signature, context) => {
    const names = new Set<string>();
    signature.inputs.forEach((input, i) => {
      if (names.has(input.name)) context.addIssue({ code: 'custom', path: ['inputs', i, 'name'], message: `"${input.name}" is listed twice` });
      names.add(input.name);
      const width = input.shape[1];
      if (width !== undefined && width !== -1 && width !== input.columns.length) {
        context.addIssue({ code: 'custom', path: ['inputs', i, 'shape', 1], message: `is ${width} but the input has ${input.columns.length} columns` });
      }
    });
    const score = signature.outputs[0];
    const perRow = score && (score.shape.length === 1 || score.shape[1] === 1);
    if (score && !perRow) context.addIssue({ code: 'custom', path: ['outputs', 0, 'shape'], message: 'the first output is the score: one number per row ([-1] or [-1, 1])' });
  });
export type Signature = z.output<typeof signatureSchema>;

/** Every feature reference of a signature, once each, in order. */
export function signatureFeatureRefs(signature: Signature): string[] {
  return [...new Set(signature.inputs.flatMap((input) => input.columns.filter(isFeatureColumn).map((column) => column.feature)))];
}

/** Every raw input name of a signature with its column's rules, once each. */
export function signatureRawInputs(signature: Signature): Map<string, RawColumn> {
  const raw = new Map<string, RawColumn>();
  for (const input of signature.inputs) for (const column of input.columns) if (!isFeatureColumn(column)) raw.set(column.input, column);
  return raw;
}

/** Training metrics: a number each (`auc`), or a short list of numbers (calibration buckets, a curve). */
export const metricsSchema = z
  .record(z.string().min(1).max(100), z.union([z.number().finite(), z.array(z.number().finite()).max(1000)]))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 metrics');

export const lineageSchema = z.strictObject({
  trainingSet: z.strictObject({ container: z.string().min(1).max(63), name: z.string().min(1).max(1024) }).optional(),
  pipeline: z.string().max(200).optional(),
  runId: z.string().max(200).optional(),
  step: z.string().max(200).optional(),
  notes: z.string().max(2000).optional(),
});
export type Lineage = z.output<typeof lineageSchema>;

/** What a version is registered with besides its artifact. */
export const stageChangeSchema = z.strictObject({ stage: z.enum(modelStages) });

export const versionMetadataSchema = z.strictObject({
  signature: signatureSchema,
  metrics: metricsSchema.default({}),
  lineage: lineageSchema.default({}),
  stage: z.enum(modelStages).default('none'),
  description: z.string().max(2000).optional(),
});
export type VersionMetadata = z.output<typeof versionMetadataSchema>;

/** A blob a pipeline wrote, in a data container. */
export const artifactBlobSchema = z.strictObject({ container: dataContainerName, name: blobName });

/** The JSON way of registering a version: the ONNX file inline (base64) or a blob a pipeline wrote. */
export const versionRequestSchema = versionMetadataSchema.extend({
  artifact: z.union([
    z.strictObject({ base64: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64') }),
    z.strictObject({ blob: artifactBlobSchema }),
  ]),
});

export const faultsSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(30_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
});
export type Faults = z.output<typeof faultsSchema>;

export const variantSchema = z.strictObject({
  name: servingName,
  model: servingName,
  version: z.number().int().positive(),
  weight: z.number().int().min(0).max(100),
  /** For tests and demos only: refused unless ARBOR_SERVING_ALLOW_FAULTS is true. */
  faults: faultsSchema.optional(),
});
export type Variant = z.output<typeof variantSchema>;

export const shadowSchema = z.strictObject({
  model: servingName,
  version: z.number().int().positive(),
  percent: z.number().min(0).max(100),
});
export type Shadow = z.output<typeof shadowSchema>;

export const endpointSpecSchema = z
  .strictObject({
    variants: z.array(variantSchema).min(1).max(10),
    shadow: shadowSchema.optional(),
    description: z.string().max(2000).optional(),
  })
  .superRefine((spec, context) => {
    const total = spec.variants.reduce((sum, variant) => sum + variant.weight, 0);
    if (total !== 100) context.addIssue({ code: 'custom', path: ['variants'], message: `weights must sum to 100 (they sum to ${total})` });
    const names = spec.variants.map((variant) => variant.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) context.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `"${name}" is listed twice` });
    });
  });
export type EndpointSpec = z.output<typeof endpointSpecSchema>;
