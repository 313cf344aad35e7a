import { z } from 'zod';
import { eventTimestampColumn, type Entity, type FeatureDefinition, type FeatureView, type JoinKeyType } from './definitions.js';
import { fromDuckDb, type FeatureValue, type JoinKeyValue } from './online-layout.js';

/** One row of a view: join keys, event time, and features (absent or null = no value). */
export interface FeatureRow {
  keys: Record<string, JoinKeyValue>;
  eventTime: Date;
  values: Record<string, FeatureValue>;
}

export function joinKeySchema(type: JoinKeyType): z.ZodType<JoinKeyValue> {
  return type === 'int64'
    ? z.union([z.number().int().refine(Number.isSafeInteger, 'is beyond 2^53: send it as a decimal string'), z.string().regex(/^-?\d{1,19}$/, 'must be an integer')])
    : z.string().min(1).max(1024);
}

function featureValueSchema(feature: FeatureDefinition): z.ZodType<FeatureValue> {
  switch (feature.type) {
    case 'int64':
      return joinKeySchema('int64').nullable();
    case 'float64':
      return z.number().nullable();
    case 'string':
      return z.string().max(65_536).nullable();
    case 'bool':
      return z.boolean().nullable();
    case 'float_vector': {
      const vector = z.array(z.number()).min(1).max(4096);
      return (feature.dimension ? vector.length(feature.dimension, `must have ${feature.dimension} elements`) : vector).nullable();
    }
  }
}

export const timestampSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone (Z or +hh:mm)' });

/** A row DuckDB returns with the view's columns and `_ms`, its event time in epoch milliseconds. */
export function featureRowFromDuckDb(view: FeatureView, entity: Entity, row: Record<string, unknown>): FeatureRow {
  return {
    keys: Object.fromEntries(entity.joinKeys.map((k) => [k.name, fromDuckDb(row[k.name]) as JoinKeyValue])),
    eventTime: new Date(Number(row._ms)),
    values: Object.fromEntries(view.features.map((f) => [f.name, fromDuckDb(row[f.name])])),
  };
}

/** The row shape of one view, built from the registry; unknown columns are refused. */
export function rowSchema(view: FeatureView, entity: Entity): z.ZodType<FeatureRow> {
  const shape: Record<string, z.ZodType> = { [eventTimestampColumn]: timestampSchema };
  for (const key of entity.joinKeys) shape[key.name] = joinKeySchema(key.type);
  for (const feature of view.features) shape[feature.name] = featureValueSchema(feature).optional();
  return z.strictObject(shape).transform((row) => ({
    keys: Object.fromEntries(entity.joinKeys.map((k) => [k.name, row[k.name] as JoinKeyValue])),
    eventTime: new Date(row[eventTimestampColumn] as string),
    values: Object.fromEntries(view.features.map((f) => [f.name, (row[f.name] ?? null) as FeatureValue])),
  }));
}
