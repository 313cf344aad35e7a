import { z } from 'zod';
import { ValidationError, type ErrorDetail } from '../platform/errors.js';
import { zodDetails } from '../platform/validation-errors.js';
import { filterSchema, metadataValue } from './filter.js';

/** Limits, documented in docs/vectors.md; each one is a 400 naming the field when passed. */
export const limits = {
  maxDimension: 4_096,
  maxShards: 64,
  maxBatchItems: 1_000,
  maxMetadataBytes: 4_096,
  maxMetadataFields: 32,
  maxK: 1_000,
  maxEf: 10_000,
};

export const collectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _, starting with a letter or digit (1-63)');

export const itemId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');

export const collectionSpec = z.strictObject({
  dimension: z.number().int().min(1).max(limits.maxDimension),
  metric: z.enum(['cosine', 'l2', 'ip']),
  shards: z.number().int().min(1).max(limits.maxShards),
  m: z.number().int().min(4).max(96).default(16),
  efConstruction: z.number().int().min(10).max(2_000).default(200),
});
export type CollectionSpec = z.output<typeof collectionSpec>;

const metadata = z
  .record(z.string().min(1).max(128), metadataValue)
  .refine((value) => Object.keys(value).length <= limits.maxMetadataFields, `at most ${limits.maxMetadataFields} fields`)
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= limits.maxMetadataBytes,
    `is larger than ${limits.maxMetadataBytes} bytes as JSON`,
  );

/** The largest finite float32: indexes store float32, so a larger component would become Infinity. */
const maxFloat32 = 3.4028234663852886e38;

/**
 * z.number() is finite already: 1e999 (Infinity) and "NaN" are refused by name. Components must
 * also fit float32, and under cosine a zero vector has no direction to compare.
 */
const vector = (dimension: number, metric?: string) =>
  z
    .array(z.number({ error: 'must be a finite number' }).min(-maxFloat32, 'does not fit a float32').max(maxFloat32, 'does not fit a float32'))
    .refine((values) => values.length === dimension, { message: `must have ${dimension} numbers (the collection's dimension)` })
    .refine((values) => metric !== 'cosine' || values.some((value) => value !== 0), { message: 'is all zeros, which has no direction under the cosine metric' });

export function upsertRequest(dimension: number, metric?: string) {
  return z.strictObject({
    items: z
      .array(z.strictObject({ id: itemId, vector: vector(dimension, metric), metadata: metadata.optional() }))
      .min(1, 'must hold at least one item')
      .max(limits.maxBatchItems, `must hold at most ${limits.maxBatchItems} items per request`),
  });
}
export type UpsertRequest = z.output<ReturnType<typeof upsertRequest>>;

/** Ids repeated in one batch, found on the raw body so they are reported beside every other problem. */
function duplicateIdDetails(body: unknown): ErrorDetail[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  const seen = new Map<string, number>();
  const details: ErrorDetail[] = [];
  items.forEach((item: unknown, index) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first !== undefined) details.push({ field: `items[${index}].id`, problem: `duplicates items[${first}].id "${id}" in this batch` });
    else seen.set(id, index);
  });
  return details;
}

/** The batch, or a ValidationError naming every bad field (nothing has been written). */
export function parseUpsert(dimension: number, body: unknown, metric?: string): UpsertRequest {
  const result = upsertRequest(dimension, metric).safeParse(body);
  const details = [...(result.success ? [] : zodDetails(result.error.issues)), ...duplicateIdDetails(body)];
  if (details.length || !result.success) throw new ValidationError(details);
  return result.data;
}

export function queryRequest(dimension: number, metric?: string) {
  return z.strictObject({
    vector: vector(dimension, metric),
    k: z.number().int().min(1).max(limits.maxK).default(10),
    ef: z.number().int().min(1).max(limits.maxEf).optional(),
    filter: filterSchema.optional(),
  });
}
export type QueryRequest = z.output<ReturnType<typeof queryRequest>>;

/** The query, or a ValidationError naming every bad field. */
export function parseQuery(dimension: number, body: unknown, metric?: string): QueryRequest {
  const result = queryRequest(dimension, metric).safeParse(body);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues));
  return result.data;
}
