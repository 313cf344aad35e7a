import { z } from 'zod';
import { namePattern } from '../platform/names.js';
import { maxArtifactBytes } from './artifacts.js';
import { servingName } from './definitions.js';

/** The HTTP bodies, headers and parameters of serving, validated at the edge. */

export const maxPredictRows = 1_000;

export const predictRequestSchema = z
  .strictObject({
    /** Join key columns, as the feature store's online read takes them: `{ driver_id: [1, 2] }`. */
    entities: z
      .record(z.string().regex(namePattern, 'is not a join key name'), z.array(z.union([z.number(), z.string().max(1024)])).min(1).max(maxPredictRows))
      .refine((columns) => Object.keys(columns).length <= 8, 'at most 8 join keys')
      .optional(),
    /** Raw input columns by name, one value per row (null: the signature's default). */
    inputs: z
      .record(servingName, z.array(z.union([z.number(), z.boolean(), z.null()])).min(1).max(maxPredictRows))
      .refine((columns) => Object.keys(columns).length <= 256, 'at most 256 inputs')
      .optional(),
    /** Routes the request: the same key always reaches the same variant while its slice covers it. */
    requestKey: z.string().min(1).max(256).optional(),
  })
  .refine((body) => body.entities !== undefined || body.inputs !== undefined, { message: 'give "entities", "inputs" or both', path: ['entities'] });
export type PredictRequest = z.output<typeof predictRequestSchema>;

/** The header that pins a request to one variant (as Azure ML's azureml-model-deployment). */
export const variantHeader = 'x-arbor-variant';
/** The header that carries a version's metadata (JSON) when the body is the ONNX file itself. */
export const versionMetadataHeader = 'x-arbor-version-metadata';
export const maxMetadataHeaderBytes = 16 * 1024;
export const onnxContentType = 'application/octet-stream';

/** Version numbers in routes. */
export const versionParam = z.string().regex(/^[1-9]\d{0,8}$/, 'must be a version number (1, 2, ...)');

/** A window's length in seconds for the metrics route. */
export const windowSecondsParam = z.coerce.number().int().min(1).max(3600).default(300);

/** The largest JSON body a version registration takes (a base64 artifact is 4/3 of its bytes). */
export const maxVersionJsonChars = Math.ceil((maxArtifactBytes * 4) / 3) + 1024 * 1024;
