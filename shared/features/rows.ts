import { z } from 'zod';
import { eventTimestampColumn, type Entity, type FeatureDefinition, type FeatureView, type JoinKeyType } from './definitions.js';
import { fromDuckDb, type FeatureValue, type JoinKeyValue } from './online-layout.js';

/** One row of a view: join keys, event time, and features (absent or null = no value). */
export interface FeatureRow {
  keys: Record<string, JoinKeyValue>;
  eventTime: Date;
  values: Record<string, FeatureValue>;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/**
 * An int64 in its one canonical form, the same on every path: a JSON number while it is a safe
 * integer (|n| <= 2^53 - 1), else its decimal string, with no sign on zero and no leading zeros.
 * So `"042"`, `"0042"` and `42` are one key (`f:...:42` online, BIGINT 42 offline).
 */
export function canonicalInt64(value: bigint): JoinKeyValue {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

/**
 * int64 as JSON carries it: a safe-integer number, or decimal text (`-?[0-9]+`, up to 40
 * characters so leading zeros are allowed but bounded) inside the int64 range. The output is
 * canonical (canonicalInt64).
 */
export const int64Schema: z.ZodType<JoinKeyValue> = z
  .union([
    z.number().int('must be an integer').refine(Number.isSafeInteger, 'is beyond 2^53: send it as a decimal string'),
    z.string().max(40, 'must be at most 40 characters').regex(/^-?[0-9]+$/, 'must be an integer in decimal digits (optional leading -)'),
  ])
  .transform((value, context) => {
    const big = BigInt(value);
    if (big < int64Min || big > int64Max) {
      context.addIssue({ code: 'custom', message: `is outside the int64 range (${int64Min} to ${int64Max})` });
      return z.NEVER;
    }
    return canonicalInt64(big);
  });

export function joinKeySchema(type: JoinKeyType): z.ZodType<JoinKeyValue> {
  return type === 'int64' ? int64Schema : z.string().min(1).max(1024);
}

function featureValueSchema(feature: FeatureDefinition): z.ZodType<FeatureValue> {
  switch (feature.type) {
    case 'int64':
      return int64Schema.nullable();
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

/**
 * The latest event time a row may carry: now plus ARBOR_FEATURE_MAX_FUTURE_SECONDS. Newer rows
 * win online, so a row stamped far ahead would hold its value there until then (issue 12 item 10).
 */
export interface EventTimeBound {
  now: Date;
  maxFutureSeconds: number;
}

export function latestEventTime(bound: EventTimeBound): number {
  return bound.now.getTime() + bound.maxFutureSeconds * 1000;
}

/** `<verb> more than N s ahead of now (...)`, for one row (`is`) or a count of them (`are`). */
export function futureProblem(bound: EventTimeBound, verb: 'is' | 'are' = 'is'): string {
  return `${verb} more than ${bound.maxFutureSeconds} s ahead of now (${bound.now.toISOString()}); ARBOR_FEATURE_MAX_FUTURE_SECONDS sets the allowance`;
}

/** The row shape of one view, built from the registry; unknown columns are refused, and so are event times past `bound`. */
export function rowSchema(view: FeatureView, entity: Entity, bound?: EventTimeBound): z.ZodType<FeatureRow> {
  const eventTime = bound ? timestampSchema.refine((value) => Date.parse(value) <= latestEventTime(bound), futureProblem(bound)) : timestampSchema;
  const shape: Record<string, z.ZodType> = { [eventTimestampColumn]: eventTime };
  for (const key of entity.joinKeys) shape[key.name] = joinKeySchema(key.type);
  for (const feature of view.features) shape[feature.name] = featureValueSchema(feature).optional();
  return z.strictObject(shape).transform((row) => ({
    keys: Object.fromEntries(entity.joinKeys.map((k) => [k.name, row[k.name] as JoinKeyValue])),
    eventTime: new Date(row[eventTimestampColumn] as string),
    values: Object.fromEntries(view.features.map((f) => [f.name, (row[f.name] ?? null) as FeatureValue])),
  }));
}
