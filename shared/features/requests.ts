import { z } from 'zod';
import { blobName, dataContainerName } from '../storage/blob-names.js';
import { BadRequestError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import { zodDetails } from '../platform/validation-errors.js';
import { UnknownViewError, unknownViewDetail } from './errors.js';
import { featureRefSchema, splitFeatureRef, type FeatureRegistry } from './definitions.js';
import type { JoinKeyValue } from './online-layout.js';
import type { EntityPlan } from './online.js';
import { joinKeySchema, timestampSchema } from './rows.js';

/** The HTTP bodies of the feature store, validated at the edge. */
const featureSelection = {
  features: z.array(featureRefSchema).min(1).max(2000).optional(),
  service: z.string().min(1).optional(),
};
const oneSelection = (body: { features?: string[] | undefined; service?: string | undefined }) => (body.features === undefined) !== (body.service === undefined);
const selectionMessage = { message: 'give exactly one of "features" or "service"', path: ['features'] };

export const maxOnlineEntities = 1_000;

export const onlineRequestSchema = z
  .strictObject({
    ...featureSelection,
    entities: z.record(z.string(), z.array(z.union([z.number(), z.string()])).min(1).max(maxOnlineEntities)),
  })
  .refine(oneSelection, selectionMessage);

export const pushRequestSchema = z.strictObject({
  view: z.string().min(1),
  rows: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000),
  to: z.enum(['online', 'offline', 'both']).default('online'),
});

export const historicalRequestSchema = z
  .strictObject({
    ...featureSelection,
    entityRows: z.array(z.record(z.string(), z.unknown())).min(1).max(100_000).optional(),
    entityRowsBlob: z.strictObject({ container: dataContainerName, name: blobName }).optional(),
    output: z.enum(['inline', 'blob']).optional(),
  })
  .refine(oneSelection, selectionMessage)
  .refine((body) => (body.entityRows === undefined) !== (body.entityRowsBlob === undefined), {
    message: 'give exactly one of "entityRows" or "entityRowsBlob"',
    path: ['entityRows'],
  });

export const materializeRequestSchema = z
  .strictObject({ view: z.string().min(1), start: timestampSchema.optional(), end: timestampSchema.optional() })
  .refine((body) => !body.start || !body.end || Date.parse(body.start) < Date.parse(body.end), { message: 'must be after start', path: ['end'] });

/** The features a request names, checked against the registry: `view:feature` strings in request order. */
export function resolveFeatureRefs(registry: FeatureRegistry, selection: { features?: string[] | undefined; service?: string | undefined }): string[] {
  if (selection.service !== undefined) {
    const service = registry.featureServices.find((s) => s.name === selection.service);
    if (!service) throw new BadRequestError('unknown_service', `feature service "${selection.service}" is not registered`, [{ field: 'service', problem: 'is not a registered feature service' }]);
    selection = { features: service.features };
  }
  const refs = selection.features ?? [];
  const problems: ErrorDetail[] = [];
  const unknown: ErrorDetail[] = [];
  refs.forEach((ref, index) => {
    const { view, feature } = splitFeatureRef(ref);
    const found = registry.featureViews.find((v) => v.name === view);
    if (!found) unknown.push(unknownViewDetail(`features[${index}]`, view));
    else if (!found.features.some((f) => f.name === feature)) problems.push({ field: `features[${index}]`, problem: `view "${view}" has no feature "${feature}"` });
    else if (refs.indexOf(ref) !== index) problems.push({ field: `features[${index}]`, problem: `"${ref}" is listed twice` });
  });
  // An unregistered view answers as on every other route (404 unknown_view), before smaller problems.
  if (unknown.length) throw new UnknownViewError(unknown);
  if (problems.length) throw new ValidationError(problems);
  return refs;
}

/** Turns `{ driver_id: [1, 2] }` columns into entity rows, typed by the registry's join keys. */
export function entityRowsFromColumns(plans: readonly EntityPlan[], columns: Record<string, Array<number | string>>): Array<Record<string, JoinKeyValue>> {
  const keys = new Map(plans.flatMap((plan) => plan.entity.joinKeys.map((k) => [k.name, k.type] as const)));
  const problems: ErrorDetail[] = [];
  for (const name of Object.keys(columns)) {
    if (!keys.has(name)) problems.push({ field: `entities.${name}`, problem: `is not a join key of the requested features (expected ${[...keys.keys()].join(', ')})` });
  }
  for (const name of keys.keys()) if (!columns[name]) problems.push({ field: `entities.${name}`, problem: 'is required by the requested features' });
  const lengths = new Set(Object.values(columns).map((values) => values.length));
  if (lengths.size > 1) problems.push({ field: 'entities', problem: 'every join key column must have the same number of values' });
  if (problems.length) throw new ValidationError(problems);
  const count = Object.values(columns)[0]?.length ?? 0;
  const rows: Array<Record<string, JoinKeyValue>> = Array.from({ length: count }, () => ({}));
  for (const [name, type] of keys) {
    const schema = joinKeySchema(type);
    (columns[name] ?? []).forEach((value, index) => {
      const parsed = schema.safeParse(value);
      if (parsed.success) (rows[index] as Record<string, JoinKeyValue>)[name] = parsed.data;
      else problems.push(...zodDetails(parsed.error.issues, `entities.${name}[${index}]`));
    });
  }
  if (problems.length) throw new ValidationError(problems.slice(0, 100));
  return rows;
}
