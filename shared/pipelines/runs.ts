import { z } from 'zod';
import type { Services } from '../platform/services.js';
import type { BlobRef } from '../storage/blob-files.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import type { StepState } from './dag.js';
import type { PipelineSpec } from './spec.js';

/**
 * Run records in Cosmos DB, one partition per run: a run document and one document per step
 * that has done anything. Steps are separate documents so parallel steps never contend for one
 * document's ETag, and a 5,000-step run stays far from the 2 MB document limit.
 */
export const runsContainer: ContainerDefinition = { id: 'runs', partitionKey: '/runId' };

const runState = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunState = z.output<typeof runState>;
const stepState = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'upstream_failed', 'cached']) satisfies z.ZodType<StepState>;
const blobRef = z.object({ container: z.string(), name: z.string() }) satisfies z.ZodType<BlobRef>;

const runDocument = z.object({
  id: z.string(),
  runId: z.string(),
  kind: z.literal('run'),
  pipeline: z.string(),
  version: z.number().int().positive(),
  params: z.record(z.string(), z.unknown()),
  state: runState,
  trigger: z.enum(['manual', 'schedule', 'retry', 'landed']),
  retryOf: z.string().optional(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  cancelRequestedAt: z.iso.datetime().optional(),
});
export type RunDocument = z.output<typeof runDocument>;

const stepRecord = z.object({
  state: stepState,
  attempts: z.number().int().min(0),
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  error: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  lineage: z.object({ read: z.array(blobRef), wrote: z.array(blobRef) }),
});
export type StepRecord = z.output<typeof stepRecord>;

const stepDocument = stepRecord.extend({ id: z.string(), runId: z.string(), kind: z.literal('step'), stepId: z.string() });
type StepDocument = z.output<typeof stepDocument>;

export interface RunView extends Omit<RunDocument, 'id' | 'kind'> {
  steps: Record<string, StepRecord>;
}

const emptyStep = (): StepRecord => ({ state: 'pending', attempts: 0, lineage: { read: [], wrote: [] } });

function stepDocumentId(runId: string, stepId: string): string {
  return `${runId}|${stepId}`;
}

const runDocuments = (services: Services) => cosmosRepository(services.cosmos, runsContainer, runDocument);
const stepDocuments = (services: Services) => cosmosRepository(services.cosmos, runsContainer, stepDocument);
/** Both kinds, for the one query that reads a run whole. */
const runRecords = (services: Services) => cosmosRepository(services.cosmos, runsContainer, z.discriminatedUnion('kind', [runDocument, stepDocument]));

export async function createRun(services: Services, run: Omit<RunDocument, 'id' | 'kind'>): Promise<RunDocument> {
  const document: RunDocument = { ...run, id: run.runId, kind: 'run' };
  await runDocuments(services).create(document);
  return document;
}

export async function getRunDocument(services: Services, runId: string): Promise<RunDocument | undefined> {
  return runDocuments(services).read(runId, runId);
}

export async function updateRun(services: Services, runId: string, change: Partial<Pick<RunDocument, 'state' | 'startedAt' | 'endedAt' | 'cancelRequestedAt'>>): Promise<void> {
  const operations = Object.entries(change)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ op: 'set' as const, path: `/${key}`, value }));
  if (operations.length) await runDocuments(services).patch(runId, runId, operations);
}

/** Merges changes into step records (creating them), e.g. marks for steps that never ran. */
export async function writeSteps(services: Services, runId: string, changes: Record<string, Partial<StepRecord>>): Promise<void> {
  const steps = stepDocuments(services);
  await Promise.all(
    Object.entries(changes).map(async ([stepId, change]) => {
      const id = stepDocumentId(runId, stepId);
      const stored = await steps.read(id, runId);
      await steps.upsert({ ...emptyStep(), ...stored, ...change, id, runId, kind: 'step', stepId });
    }),
  );
}

/** Replaces one step's record whole: no read, for a writer that already holds the record. */
export async function putStep(services: Services, runId: string, stepId: string, record: StepRecord): Promise<void> {
  await stepDocuments(services).upsert({ ...record, id: stepDocumentId(runId, stepId), runId, kind: 'step', stepId });
}

export async function readStep(services: Services, runId: string, stepId: string): Promise<StepRecord | undefined> {
  const stored = await stepDocuments(services).read(stepDocumentId(runId, stepId), runId);
  return stored ? toStepRecord(stored) : undefined;
}

function toStepRecord(document: StepDocument): StepRecord {
  const { state, attempts, startedAt, endedAt, error, outputs, lineage } = document;
  return { state, attempts, startedAt, endedAt, error, outputs, lineage };
}

/** A run with the steps that have records; withPendingSteps adds the rest of its spec. */
export async function getRun(services: Services, runId: string): Promise<RunView | undefined> {
  const records = await runRecords(services).query(
    { query: 'SELECT * FROM c WHERE c.runId = @runId', parameters: [{ name: '@runId', value: runId }] },
    { partitionKey: runId },
  );
  const run = records.find((record) => record.kind === 'run');
  if (!run) return undefined;
  const steps: Record<string, StepRecord> = {};
  for (const record of records) if (record.kind === 'step') steps[record.stepId] = toStepRecord(record);
  const { id: _id, kind: _kind, ...rest } = run;
  return { ...rest, steps };
}

/** The run as the API shows it: every step of the spec, in spec order, pending unless recorded. */
export function withPendingSteps(run: RunView, spec: PipelineSpec | undefined): RunView {
  const steps: Record<string, StepRecord> = {};
  for (const step of spec?.steps ?? []) steps[step.id] = run.steps[step.id] ?? emptyStep();
  return { ...run, steps: { ...steps, ...run.steps } };
}

export async function listRuns(services: Services, pipeline: string, limit = 100): Promise<RunDocument[]> {
  return runDocuments(services).query({
    query: "SELECT TOP @limit * FROM c WHERE c.kind = 'run' AND c.pipeline = @pipeline ORDER BY c.createdAt DESC",
    parameters: [
      { name: '@pipeline', value: pipeline },
      { name: '@limit', value: limit },
    ],
  });
}
