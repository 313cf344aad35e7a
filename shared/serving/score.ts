import { Tensor } from 'onnxruntime-node';
import type { JoinKeyValue } from '../features/online-layout.js';
import { planLookup, readOnline, type ValueStatus } from '../features/online.js';
import { loadRegistry } from '../features/registry.js';
import { entityRowsFromColumns, resolveFeatureRefs } from '../features/requests.js';
import { featureStores } from '../features/stores.js';
import { ArborError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { isFeatureColumn, signatureFeatureRefs, signatureRawInputs, type RawColumn } from './definitions.js';
import { featureValuesUsed } from './metrics.js';
import type { ModelVersion } from './registry.js';
import type { PredictRequest } from './requests.js';
import { sessionFor } from './sessions.js';

/**
 * One model version scoring one request: the signature says which features to read (one
 * online-store round trip for every row and view) and which raw inputs to take from the body;
 * their values fill the input tensors column by column; onnxruntime runs; the first output is
 * the score. A missing or stale feature takes the signature's default, or the request is
 * refused (422) naming the entity and the feature. Nothing here throws for bad input except
 * an ArborError naming the field.
 */
export interface Scored {
  /** One per row, in request order: the first output of the signature. */
  scores: number[];
  /** The other declared outputs, per row (a row's values), when the signature has more than one. */
  outputs: Record<string, number[][]>;
  /** Per row, each feature's status as read (`missing` or `stale` with a 200 means the default was used). */
  featureStatus: Array<Record<string, ValueStatus>>;
  /** Set when this request loaded the model (a cold start on this instance). */
  coldLoadMs: number | undefined;
}

/** A feature that is not servable and has no default: the caller's data, not the request's shape. */
export class FeatureUnavailableError extends ArborError {
  constructor(details: ErrorDetail[], total: number) {
    super(422, 'feature_unavailable', `${total} feature value(s) are missing or stale and the model's signature gives no default: ${details[0]?.problem ?? ''}`, details);
  }
}

export const maxRows = 1_000;

function rawValue(column: RawColumn, value: number | boolean | null | undefined, field: string, problems: ErrorDetail[]): number {
  if (value === null || value === undefined) {
    if (column.default !== undefined) return column.default;
    problems.push({ field, problem: 'is required (the signature gives no default)' });
    return 0;
  }
  if (column.type === 'bool') {
    if (typeof value !== 'boolean') problems.push({ field, problem: 'must be true or false' });
    return value ? 1 : 0;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push({ field, problem: `must be a ${column.type === 'int64' ? 'whole number' : 'number'}` });
    return 0;
  }
  if (column.type === 'int64' && !Number.isInteger(value)) problems.push({ field, problem: 'must be a whole number' });
  return value;
}

function entityLabel(keys: Record<string, JoinKeyValue>): string {
  return Object.entries(keys)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(', ');
}

export async function scoreVersion(services: Services, version: ModelVersion, request: PredictRequest, now: Date, endpoint: string): Promise<Scored> {
  const { signature } = version;
  const refs = signatureFeatureRefs(signature);
  const raw = signatureRawInputs(signature);
  const problems: ErrorDetail[] = [];

  for (const name of Object.keys(request.inputs ?? {})) {
    if (!raw.has(name)) problems.push({ field: `inputs.${name}`, problem: `is not an input of ${version.model} version ${version.version} (its inputs: ${[...raw.keys()].join(', ') || 'none'})` });
  }

  // Entity rows, typed by the registry's join keys (400 naming a key that is wrong).
  let entityRows: Array<Record<string, JoinKeyValue>> = [];
  let featureRows: Awaited<ReturnType<typeof readOnline>> = [];
  let plans: ReturnType<typeof planLookup> = [];
  if (refs.length) {
    if (!request.entities) throw new ValidationError([{ field: 'entities', problem: `is required: ${version.model} version ${version.version} reads features (${refs.slice(0, 5).join(', ')})` }]);
    const registry = await loadRegistry(services);
    resolveFeatureRefs(registry, { features: refs });
    plans = planLookup(registry, refs);
    entityRows = entityRowsFromColumns(plans, request.entities);
  }
  const rawLengths = [...raw.keys()].flatMap((name) => (request.inputs?.[name] ? [[name, request.inputs[name].length] as const] : []));
  const rows = refs.length ? entityRows.length : (rawLengths[0]?.[1] ?? 0);
  if (rows === 0) problems.push({ field: raw.size ? 'inputs' : 'entities', problem: 'gives no rows to score' });
  if (rows > maxRows) problems.push({ field: refs.length ? 'entities' : 'inputs', problem: `has ${rows} rows; at most ${maxRows} per request` });
  for (const [name, length] of rawLengths) {
    if (length !== rows) problems.push({ field: `inputs.${name}`, problem: `has ${length} values for ${rows} rows` });
  }
  for (const [name, column] of raw) {
    if (!request.inputs?.[name] && column.default === undefined) problems.push({ field: `inputs.${name}`, problem: `is required by ${version.model} version ${version.version}` });
  }
  if (problems.length) throw new ValidationError(problems.slice(0, 100));

  if (refs.length) featureRows = await readOnline(featureStores(services).online, plans, refs, entityRows, now);

  const unavailable: ErrorDetail[] = [];
  let unavailableCount = 0;
  let present = 0;
  let defaulted = 0;
  const feeds: Record<string, Tensor> = {};
  for (const input of signature.inputs) {
    const width = input.columns.length;
    const data = input.type === 'float64' ? new Float64Array(rows * width) : new Float32Array(rows * width);
    input.columns.forEach((column, j) => {
      for (let r = 0; r < rows; r++) {
        let value: number;
        if (isFeatureColumn(column)) {
          const found = featureRows[r];
          const status = found?.status[column.feature] ?? 'missing';
          const stored = found?.values[column.feature];
          if (status === 'present' && stored !== null && stored !== undefined) {
            value = typeof stored === 'boolean' ? (stored ? 1 : 0) : Number(stored);
            present++;
          } else if (column.default !== undefined) {
            value = column.default;
            defaulted++;
          } else {
            value = 0;
            unavailableCount++;
            const key = Object.entries(entityRows[r] ?? {})[0];
            if (unavailable.length < 100) {
              unavailable.push({
                field: key ? `entities.${key[0]}[${r}]` : `entities[${r}]`,
                problem: `feature "${column.feature}" is ${status} for ${entityLabel(entityRows[r] ?? {})} and the signature gives no default`,
              });
            }
          }
        } else {
          value = rawValue(column, request.inputs?.[column.input]?.[r], `inputs.${column.input}[${r}]`, problems);
        }
        data[r * width + j] = value;
      }
    });
    feeds[input.name] = new Tensor(input.type, data, [rows, width]);
  }
  if (problems.length) throw new ValidationError(problems.slice(0, 100));
  if (present) featureValuesUsed.inc({ endpoint, status: 'present' }, present);
  if (defaulted) featureValuesUsed.inc({ endpoint, status: 'defaulted' }, defaulted);
  if (unavailableCount) {
    featureValuesUsed.inc({ endpoint, status: 'refused' }, unavailableCount);
    throw new FeatureUnavailableError(unavailable, unavailableCount);
  }

  const { loaded, cold } = await sessionFor(services, version);
  const results = await loaded.session.run(feeds);
  const [scoreOutput, ...others] = signature.outputs;
  const scoreTensor = scoreOutput && results[scoreOutput.name];
  const scoreData = scoreTensor?.data;
  if (!scoreData || scoreData.length !== rows) {
    throw new Error(`${version.model} version ${version.version}: output ${scoreOutput?.name ?? '(none)'} has ${scoreData?.length ?? 0} values for ${rows} rows`);
  }
  const outputs: Record<string, number[][]> = {};
  for (const output of others) {
    const values = Array.from(results[output.name]?.data as ArrayLike<number>, Number);
    const width = values.length / rows;
    outputs[output.name] = Array.from({ length: rows }, (_, r) => values.slice(r * width, (r + 1) * width));
  }
  return {
    scores: Array.from(scoreData as ArrayLike<number>, Number),
    outputs,
    featureStatus: refs.length ? featureRows.map((row) => row.status) : Array.from({ length: rows }, () => ({})),
    coldLoadMs: cold ? loaded.loadMs : undefined,
  };
}
