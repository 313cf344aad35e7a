import type { Entity, FeatureType, FeatureView } from './definitions.js';

/**
 * The online layout (docs/features.md): one Redis hash per (project, entity, key values),
 * `f:<project>:<entity>:<key1>:<key2>`; in it, a field per feature named `<viewTag>.<featureTag>`
 * and one event-time field per view, `<viewTag>.t` (epoch milliseconds). Tags are base-36
 * counters, so fields stay a few bytes however long the names are, bound in the online store
 * itself (redis-tag-bindings.ts) so they keep their meaning whatever happens to the registry.
 */
export type JoinKeyValue = string | number;

export function onlineKey(project: string, entity: Entity, keys: Record<string, JoinKeyValue>): string {
  // encodeURIComponent escapes ':' so a string key cannot forge another entity's hash.
  return `f:${project}:${entity.name}:${entity.joinKeys.map((k) => encodeURIComponent(String(keys[k.name]))).join(':')}`;
}

export function featureField(view: FeatureView, feature: string): string {
  return `${view.tag}.${view.featureTags[feature]}`;
}

export function timestampField(view: FeatureView): string {
  return `${view.tag}.t`;
}

export type FeatureValue = number | string | boolean | number[] | null;

export function encodeValue(type: FeatureType, value: Exclude<FeatureValue, null>): string {
  switch (type) {
    case 'bool':
      return value ? '1' : '0';
    case 'float_vector':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

export function decodeValue(type: FeatureType, raw: string): FeatureValue {
  switch (type) {
    case 'int64': {
      // JSON has no 64-bit integers: beyond 2^53 the value travels as a decimal string.
      const n = Number(raw);
      return Number.isSafeInteger(n) ? n : raw;
    }
    case 'float64':
      return Number(raw);
    case 'bool':
      return raw === '1';
    case 'float_vector':
      return JSON.parse(raw) as number[];
    case 'string':
      return raw;
  }
}

/** A DuckDB value as JSON carries it: BIGINT beyond 2^53 as a decimal string, lists as arrays. */
export function fromDuckDb(value: unknown): FeatureValue {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(Number);
  return (value ?? null) as FeatureValue;
}
