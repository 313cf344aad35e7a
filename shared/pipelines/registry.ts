import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ValidationError, type ErrorDetail } from '../platform/errors.js';
import { zodDetails } from '../platform/validation-errors.js';
import { findExpressions } from './expressions.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { MAX_STEPS, PipelineSpecSchema, type PipelineSpec } from './spec.js';
import { knownStepTypes, stepTypeNamed } from './step-registry.js';
import { validatePipeline } from './validate.js';

/**
 * Pipeline specs in Cosmos DB, partitioned by name: one document per version (`name@v3`) so a
 * run can always read the exact spec it started with, and a `latest` pointer document.
 */
export const pipelinesContainer: ContainerDefinition = { id: 'pipelines', partitionKey: '/name' };

const storedPipeline = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  spec: PipelineSpecSchema,
  registeredAt: z.iso.datetime(),
});
export type StoredPipeline = z.output<typeof storedPipeline>;

const pipelineDocument = storedPipeline.extend({ id: z.string(), kind: z.enum(['version', 'latest']) });
type PipelineDocument = z.output<typeof pipelineDocument>;

const pipelineDocuments = (services: Services) => cosmosRepository(services.cosmos, pipelinesContainer, pipelineDocument);

function toStoredPipeline({ name, version, spec, registeredAt }: PipelineDocument): StoredPipeline {
  return { name, version, spec, registeredAt };
}

function versionId(name: string, version: number): string {
  return `${name}@v${version}`;
}

/**
 * Validates a spec; every problem is reported at once and nothing is stored on error. Each
 * step's `with` is also checked against its step type's input now, so a bad query or a wrong
 * format is refused at registration rather than at run time: where parts of it are `${{ }}`
 * expressions, the literal parts still are (only problems at or around an expression wait for
 * the run, when its value is known).
 */
export function admitSpec(input: unknown): PipelineSpec {
  const result = validatePipeline(input, knownStepTypes());
  const problems: ErrorDetail[] = [...(result.ok ? [] : result.problems), ...stepInputProblems(input)];
  if (!result.ok || problems.length) throw new ValidationError(problems);
  return result.spec;
}

/** Read from the raw input, so a problem elsewhere in the spec does not hide these. */
function stepInputProblems(input: unknown): ErrorDetail[] {
  const steps = isRecord(input) && Array.isArray(input.steps) ? input.steps.slice(0, MAX_STEPS) : [];
  return steps.flatMap((step: unknown, index) => {
    if (!isRecord(step) || typeof step.uses !== 'string') return [];
    const stepType = stepTypeNamed(step.uses);
    const withValue = step.with ?? {};
    if (!stepType || !isRecord(withValue)) return [];
    const parsed = stepType.input.safeParse(withValue);
    if (parsed.success) return [];
    const expressions = findExpressions(withValue).map((finding) => finding.at);
    const literal = parsed.error.issues.filter(
      (issue) => issue.code === 'unrecognized_keys' || !expressions.some((at) => onOnePath(issue.path, at)),
    );
    return zodDetails(literal, `steps[${index}].with`);
  });
}

/** One path lies on the other: an issue there may be the expression's to settle. */
function onOnePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Registers a spec. Arbor numbers versions: an unchanged spec keeps its version, a changed one
 * gets the next, so the version a run records always names one exact spec.
 */
export async function registerPipeline(services: Services, spec: PipelineSpec, now: Date): Promise<{ pipeline: StoredPipeline; created: boolean }> {
  const latest = await getPipeline(services, spec.name);
  const comparable = (s: PipelineSpec) => ({ ...s, version: 0 });
  if (latest && isDeepStrictEqual(comparable(latest.spec), comparable(spec))) return { pipeline: latest, created: false };
  const version = (latest?.version ?? 0) + 1;
  const pipeline: StoredPipeline = { name: spec.name, version, spec: { ...spec, version }, registeredAt: now.toISOString() };
  const documents = pipelineDocuments(services);
  // The version document first: a crash between the writes leaves the old latest, still valid.
  await documents.create({ ...pipeline, id: versionId(spec.name, version), kind: 'version' });
  await documents.upsert({ ...pipeline, id: 'latest', kind: 'latest' });
  return { pipeline, created: true };
}

export async function getPipeline(services: Services, name: string, version?: number): Promise<StoredPipeline | undefined> {
  const document = await pipelineDocuments(services).read(version ? versionId(name, version) : 'latest', name);
  return document ? toStoredPipeline(document) : undefined;
}

export async function listPipelines(services: Services): Promise<StoredPipeline[]> {
  return (await pipelineDocuments(services).query("SELECT * FROM c WHERE c.kind = 'latest' ORDER BY c.name")).map(toStoredPipeline);
}
