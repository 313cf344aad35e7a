import { z } from 'zod';
import { splitFeatureRef } from '../features/definitions.js';
import { loadRegistry } from '../features/registry.js';
import { NotFoundError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { zodDetails } from '../platform/validation-errors.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { maxArtifactBytes, writeArtifact } from './artifacts.js';
import {
  isFeatureColumn,
  lineageSchema,
  metricsSchema,
  modelSpecSchema,
  modelStages,
  modelTasks,
  servingName,
  signatureSchema,
  versionMetadataSchema,
  type ModelSpec,
  type ModelStage,
  type Signature,
} from './definitions.js';
import { describeOnnx, signatureMismatches } from './onnx-inspect.js';

/**
 * The model registry (Cosmos DB): per model one document for the model and one per version,
 * all in the model's partition. Versions are numbered 1, 2, ... in registration order and never
 * change after (only their stage moves); their files are in blob storage (artifacts.ts).
 */
export const modelRegistryContainer: ContainerDefinition = { id: 'model-registry', partitionKey: '/model' };

const timestamp = z.string().datetime();
const artifactSchema = z.object({ container: z.string(), name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });
const onnxValueSchema = z.object({ name: z.string(), type: z.string(), shape: z.array(z.union([z.number(), z.string()])) });

const modelDocument = z.object({
  id: z.literal('model'),
  kind: z.literal('model'),
  model: servingName,
  description: z.string().optional(),
  task: z.enum(modelTasks),
  latestVersion: z.number().int().nonnegative(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const versionDocument = z.object({
  id: z.string().regex(/^v\d+$/),
  kind: z.literal('version'),
  model: servingName,
  version: z.number().int().positive(),
  format: z.literal('onnx'),
  artifact: artifactSchema,
  /** The graph's inputs and outputs as onnxruntime read them at registration. */
  onnx: z.object({ inputs: z.array(onnxValueSchema), outputs: z.array(onnxValueSchema) }),
  signature: signatureSchema,
  metrics: metricsSchema,
  lineage: lineageSchema,
  stage: z.enum(modelStages),
  description: z.string().optional(),
  createdAt: timestamp,
  stageUpdatedAt: timestamp.optional(),
});

const registryDocument = z.discriminatedUnion('kind', [modelDocument, versionDocument]);
type RegistryDocument = z.output<typeof registryDocument>;

export type Model = Omit<z.output<typeof modelDocument>, 'id' | 'kind'>;
export type ModelVersion = Omit<z.output<typeof versionDocument>, 'id' | 'kind'>;

const documents = (services: Services) => cosmosRepository(services.cosmos, modelRegistryContainer, registryDocument);

function toModel(document: RegistryDocument | undefined): Model | undefined {
  if (document?.kind !== 'model') return undefined;
  const { id: _id, kind: _kind, ...model } = document;
  return model;
}

function toVersion(document: RegistryDocument): ModelVersion | undefined {
  if (document.kind !== 'version') return undefined;
  const { id: _id, kind: _kind, ...version } = document;
  return version;
}

export async function getModel(services: Services, name: string): Promise<Model | undefined> {
  return toModel(await documents(services).read('model', name));
}

export async function requireModel(services: Services, name: string): Promise<Model> {
  const model = await getModel(services, name);
  if (!model) throw new NotFoundError('model', name);
  return model;
}

/** Creates a model (created: true) or updates its description and task. */
export async function putModel(services: Services, name: string, spec: ModelSpec, now = new Date()): Promise<{ model: Model; created: boolean }> {
  const repository = documents(services);
  for (let attempt = 0; ; attempt++) {
    const stored = await repository.readWithEtag('model', name);
    const before = toModel(stored?.document);
    const model: Model = {
      model: name,
      task: spec.task,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      latestVersion: before?.latestVersion ?? 0,
      createdAt: before?.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      if (stored) await repository.replace({ id: 'model', kind: 'model', ...model }, name, stored.etag);
      else await repository.create({ id: 'model', kind: 'model', ...model });
      return { model, created: !before };
    } catch (error) {
      // Another writer got there first (409 on create, 412 on replace): read again.
      const code = (error as { code?: unknown }).code;
      if (attempt < 5 && (code === 409 || code === 412)) continue;
      throw error;
    }
  }
}

/** Versions newest first, at most `limit`. */
export async function listModelVersions(services: Services, name: string, limit = 100): Promise<ModelVersion[]> {
  const found = await documents(services).firstPage(
    // The model in the WHERE as well as the partition key: the emulator ignores the partition key on queries.
    { query: "SELECT * FROM c WHERE c.kind = 'version' AND c.model = @model ORDER BY c.version DESC", parameters: [{ name: '@model', value: name }] },
    { partitionKey: name, maxItemCount: limit },
  );
  return found.flatMap((document) => toVersion(document) ?? []);
}

/** A version is immutable, so each instance keeps what it has read. */
const versionCache = new Map<string, ModelVersion>();
const versionKey = (services: Services, model: string, version: number) => `${services.settings.COSMOS_DATABASE}/${model}/${version}`;

/** `fresh` reads the stored document (its stage may have moved on another instance). */
export async function getModelVersion(services: Services, model: string, version: number, options: { fresh?: boolean } = {}): Promise<ModelVersion | undefined> {
  const key = versionKey(services, model, version);
  const cached = versionCache.get(key);
  if (cached && !options.fresh) return cached;
  const stored = await documents(services).read(`v${version}`, model);
  const found = stored && toVersion(stored);
  if (found) versionCache.set(key, found);
  return found;
}

export async function requireModelVersion(services: Services, model: string, version: number): Promise<ModelVersion> {
  const found = await getModelVersion(services, model, version);
  if (!found) throw new NotFoundError('model version', `${model}:${version}`);
  return found;
}

/** The registry's one way in for a new version, from the HTTP routes and from training alike. */
export interface RegisterVersionInput {
  model: string;
  /** The ONNX file. */
  artifact: Uint8Array;
  /** Signature, metrics, lineage, stage, description (defaults applied; validated here). */
  metadata: z.input<typeof versionMetadataSchema>;
  /** Create the model with this spec when it is not registered yet (else an unknown model is a 404). */
  createModel?: z.input<typeof modelSpecSchema>;
  now?: Date;
}

/** The feature references of a signature that the feature registry does not have, or that cannot fill a tensor. */
export async function featureReferenceProblems(services: Services, signature: Signature): Promise<ErrorDetail[]> {
  const registry = await loadRegistry(services);
  const problems: ErrorDetail[] = [];
  signature.inputs.forEach((input, i) =>
    input.columns.forEach((column, j) => {
      if (!isFeatureColumn(column)) return;
      const field = `signature.inputs[${i}].columns[${j}].feature`;
      const { view, feature } = splitFeatureRef(column.feature);
      const found = registry.featureViews.find((v) => v.name === view);
      const definition = found?.features.find((f) => f.name === feature);
      if (!found) problems.push({ field, problem: `view "${view}" is not registered in the feature store` });
      else if (!definition) problems.push({ field, problem: `view "${view}" has no feature "${feature}"` });
      else if (!['int64', 'float64', 'bool'].includes(definition.type)) problems.push({ field, problem: `"${column.feature}" is a ${definition.type} feature; only int64, float64 and bool fill a tensor` });
      else if (!found.online) problems.push({ field, problem: `view "${view}" is not served online` });
    }),
  );
  return problems;
}

/**
 * Validates and stores a new version: the file loads in onnxruntime, its inputs and outputs
 * match the signature, the signature's features exist. On any problem a 400 naming each one,
 * and nothing is stored. The file goes to blob storage under its SHA-256 (the same bytes are
 * stored once), then the version document takes the next free number.
 */
export async function registerModelVersion(services: Services, input: RegisterVersionInput): Promise<ModelVersion> {
  const name = servingName.safeParse(input.model);
  if (!name.success) throw new ValidationError(zodDetails(name.error.issues, 'model'));
  const parsed = versionMetadataSchema.safeParse(input.metadata);
  if (!parsed.success) throw new ValidationError(zodDetails(parsed.error.issues));
  const metadata = parsed.data;
  if (input.artifact.length > maxArtifactBytes) throw new ValidationError([{ field: 'artifact', problem: `is ${input.artifact.length} bytes, over the ${maxArtifactBytes}-byte limit` }]);
  if (input.artifact.length === 0) throw new ValidationError([{ field: 'artifact', problem: 'is empty' }]);

  const createModel = input.createModel === undefined ? undefined : modelSpecSchema.safeParse(input.createModel);
  if (createModel && !createModel.success) throw new ValidationError(zodDetails(createModel.error.issues, 'createModel'));
  let model = await getModel(services, name.data);
  if (!model && !createModel) throw new NotFoundError('model', name.data);
  const onnx = await describeOnnx(input.artifact);
  const problems = [...signatureMismatches(metadata.signature, onnx), ...(await featureReferenceProblems(services, metadata.signature))];
  if (problems.length) throw new ValidationError(problems);

  if (!model) model = (await putModel(services, name.data, createModel?.data ?? modelSpecSchema.parse({}), input.now)).model;
  const artifact = await writeArtifact(services, name.data, input.artifact);
  const repository = documents(services);
  const createdAt = (input.now ?? new Date()).toISOString();
  for (let version = model.latestVersion + 1, attempt = 0; ; version++, attempt++) {
    const stored: ModelVersion = {
      model: name.data,
      version,
      format: 'onnx',
      artifact,
      onnx,
      signature: metadata.signature,
      metrics: metadata.metrics,
      lineage: metadata.lineage,
      stage: metadata.stage,
      ...(metadata.description === undefined ? {} : { description: metadata.description }),
      createdAt,
    };
    try {
      await repository.create({ id: `v${version}`, kind: 'version', ...stored });
    } catch (error) {
      // Another registration took this number: the next one is free.
      if ((error as { code?: unknown }).code === 409 && attempt < 20) continue;
      throw error;
    }
    await repository.patch('model', name.data, [
      { op: 'set', path: '/latestVersion', value: version },
      { op: 'set', path: '/updatedAt', value: createdAt },
    ]);
    return stored;
  }
}

/** Moves a version to another stage (the one mutable part of a version). */
export async function setVersionStage(services: Services, model: string, version: number, stage: ModelStage, now = new Date()): Promise<ModelVersion> {
  const current = await requireModelVersion(services, model, version);
  await documents(services).patch(`v${version}`, model, [
    { op: 'set', path: '/stage', value: stage },
    { op: 'set', path: '/stageUpdatedAt', value: now.toISOString() },
  ]);
  const updated = { ...current, stage, stageUpdatedAt: now.toISOString() };
  versionCache.set(versionKey(services, model, version), updated);
  return updated;
}


