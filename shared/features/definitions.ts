import { z } from 'zod';
import { nameRuleMessage, namePatternSource, nameSchema } from '../platform/names.js';

/**
 * The feature store's vocabulary. Names become SQL identifiers and Redis fields, so they are
 * held to a strict pattern here, at the edge, and trusted everywhere after.
 */
export const featureTypes = ['int64', 'float64', 'string', 'bool', 'float_vector'] as const;
export type FeatureType = (typeof featureTypes)[number];

export const joinKeyTypes = ['int64', 'string'] as const;
export type JoinKeyType = (typeof joinKeyTypes)[number];

/** Columns every row carries besides its join keys and features. */
export const eventTimestampColumn = 'event_timestamp';
export const reservedNames = new Set([eventTimestampColumn, '_written_at', '_row']);

const name = nameSchema
  .refine((value) => !reservedNames.has(value), 'is a reserved column name');

export const entitySchema = z.strictObject({
  name,
  joinKeys: z.array(z.strictObject({ name, type: z.enum(joinKeyTypes) })).min(1, 'needs at least one join key').max(4),
  description: z.string().max(1000).optional(),
});

export const featureSchema = z.strictObject({
  name,
  type: z.enum(featureTypes),
  /** Required length of a float_vector. */
  dimension: z.number().int().min(1).max(4096).optional(),
});

export const featureViewSchema = z.strictObject({
  name,
  entity: name,
  features: z.array(featureSchema).min(1, 'needs at least one feature').max(500),
  /** How long a value stays servable after its event time; 0 means forever. */
  ttlSeconds: z.number().int().min(0).max(10 * 365 * 86_400),
  online: z.boolean().default(true),
  /** Where rows come from (a pipeline, a team's export ...), kept for lineage. */
  source: z.string().max(500).optional(),
  description: z.string().max(1000).optional(),
});

export const featureRefSchema = z
  .string()
  .regex(new RegExp(`^${namePatternSource}:${namePatternSource}$`), `must be "view:feature", each part a name that ${nameRuleMessage}`);

export const featureServiceSchema = z.strictObject({
  name,
  features: z.array(featureRefSchema).min(1).max(2000),
  description: z.string().max(1000).optional(),
});

export const definitionsSchema = z.strictObject({
  entities: z.array(entitySchema).max(200).default([]),
  featureViews: z.array(featureViewSchema).max(500).default([]),
  featureServices: z.array(featureServiceSchema).max(500).default([]),
});

export type EntityDefinition = z.output<typeof entitySchema>;
export type FeatureDefinition = z.output<typeof featureSchema>;
export type FeatureViewDefinition = z.output<typeof featureViewSchema>;
export type FeatureServiceDefinition = z.output<typeof featureServiceSchema>;
export type Definitions = z.output<typeof definitionsSchema>;

/** A view as stored: its definition plus the short tags its online fields are named by. */
export interface FeatureView extends FeatureViewDefinition {
  /** Short, stable, unique per project: the prefix of the view's Redis fields. */
  tag: string;
  /** Stable per feature: features are only ever appended, so an index never changes meaning. */
  featureTags: Record<string, string>;
  version: number;
}

export interface Entity extends EntityDefinition {
  version: number;
}

export interface FeatureService extends FeatureServiceDefinition {
  version: number;
}

export interface FeatureRegistry {
  entities: Entity[];
  featureViews: FeatureView[];
  featureServices: FeatureService[];
}

export function duckDbType(type: FeatureType | JoinKeyType): string {
  switch (type) {
    case 'int64':
      return 'BIGINT';
    case 'float64':
      return 'DOUBLE';
    case 'string':
      return 'VARCHAR';
    case 'bool':
      return 'BOOLEAN';
    case 'float_vector':
      return 'FLOAT[]';
  }
}

/** A view's row as stored: join keys, event time, features, in that order, with DuckDB types. */
export interface ViewColumn {
  name: string;
  duckType: string;
  /** Join keys and the event time must be present on every row. */
  required: boolean;
  dimension?: number;
}

export function viewColumns(view: FeatureViewDefinition, entity: EntityDefinition): ViewColumn[] {
  return [
    ...entity.joinKeys.map((k) => ({ name: k.name, duckType: duckDbType(k.type), required: true })),
    { name: eventTimestampColumn, duckType: 'TIMESTAMP', required: true },
    ...view.features.map((f) => ({ name: f.name, duckType: duckDbType(f.type), required: false, ...(f.dimension ? { dimension: f.dimension } : {}) })),
  ];
}

export function splitFeatureRef(ref: string): { view: string; feature: string } {
  const [view = '', feature = ''] = ref.split(':');
  return { view, feature };
}
