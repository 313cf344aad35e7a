import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { BlobRef } from '../storage/blob-files.js';
import type { ContainerDefinition } from '../storage/cosmos.js';
import type { StepState } from './dag.js';
import type { PipelineSpec } from './spec.js';

/**
 * Run records in Cosmos DB, one partition per run: a run document and one document per step
 * that has done anything. Steps are separate documents so parallel steps never contend for one
 * document's ETag, and a 5,000-step run stays far from the 2 MB document limit.
 */
export const runsContainer: ContainerDefinition = { id: 'runs', partitionKey: '/runId' };

export type RunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunDocument {
  id: string;
  runId: string;
  kind: 'run';
  pipeline: string;
  version: number;
  params: Record<string, unknown>;
  state: RunState;
  trigger: 'manual' | 'schedule' | 'retry';
  retryOf?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  cancelRequestedAt?: string;
}

export interface StepRecord {
  state: StepState;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  outputs?: Record<string, unknown>;
  lineage: { read: BlobRef[]; wrote: BlobRef[] };
}

interface StepDocument extends StepRecord {
  id: string;
  runId: string;
  kind: 'step';
  stepId: string;
}

export interface RunView extends Omit<RunDocument, 'id' | 'kind'> {
  steps: Record<string, StepRecord>;
}

const emptyStep = (): StepRecord => ({ state: 'pending', attempts: 0, lineage: { read: [], wrote: [] } });

function stepDocumentId(runId: string, stepId: string): string {
  return `${runId}|${stepId}`;
}

async function runs(services: Services) {
  return services.cosmos.container(runsContainer);
}

export async function createRun(services: Services, run: Omit<RunDocument, 'id' | 'kind'>): Promise<RunDocument> {
  return callDependency('cosmos', async () => {
    const document: RunDocument = { ...run, id: run.runId, kind: 'run' };
    await (await runs(services)).items.create(document);
    return document;
  });
}

export async function getRunDocument(services: Services, runId: string): Promise<RunDocument | undefined> {
  return callDependency('cosmos', async () => {
    const { resource } = await (await runs(services)).item(runId, runId).read<RunDocument>();
    return resource;
  });
}

export async function updateRun(services: Services, runId: string, change: Partial<Pick<RunDocument, 'state' | 'startedAt' | 'endedAt' | 'cancelRequestedAt'>>): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await runs(services);
    const operations = Object.entries(change)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => ({ op: 'set' as const, path: `/${key}`, value }));
    if (operations.length) await container.item(runId, runId).patch(operations);
  });
}

/** Merges changes into step records (creating them), e.g. marks for steps that never ran. */
export async function writeSteps(services: Services, runId: string, changes: Record<string, Partial<StepRecord>>): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await runs(services);
    await Promise.all(
      Object.entries(changes).map(async ([stepId, change]) => {
        const id = stepDocumentId(runId, stepId);
        const { resource } = await container.item(id, runId).read<StepDocument>();
        const next: StepDocument = { ...emptyStep(), ...resource, ...change, id, runId, kind: 'step', stepId };
        await container.items.upsert(next);
      }),
    );
  });
}

/** Replaces one step's record whole: no read, for a writer that already holds the record. */
export async function putStep(services: Services, runId: string, stepId: string, record: StepRecord): Promise<void> {
  await callDependency('cosmos', async () => {
    const document: StepDocument = { ...record, id: stepDocumentId(runId, stepId), runId, kind: 'step', stepId };
    await (await runs(services)).items.upsert(document);
  });
}

export async function readStep(services: Services, runId: string, stepId: string): Promise<StepRecord | undefined> {
  return callDependency('cosmos', async () => {
    const { resource } = await (await runs(services)).item(stepDocumentId(runId, stepId), runId).read<StepDocument>();
    return resource ? toStepRecord(resource) : undefined;
  });
}

function toStepRecord(document: StepDocument): StepRecord {
  const { state, attempts, startedAt, endedAt, error, outputs, lineage } = document;
  return { state, attempts, startedAt, endedAt, error, outputs, lineage };
}

/** A run with the steps that have records; withPendingSteps adds the rest of its spec. */
export async function getRun(services: Services, runId: string): Promise<RunView | undefined> {
  return callDependency('cosmos', async () => {
    const container = await runs(services);
    const { resources } = await container.items
      .query<RunDocument | StepDocument>({ query: 'SELECT * FROM c WHERE c.runId = @runId', parameters: [{ name: '@runId', value: runId }] }, { partitionKey: runId })
      .fetchAll();
    const run = resources.find((doc): doc is RunDocument => doc.kind === 'run');
    if (!run) return undefined;
    const steps: Record<string, StepRecord> = {};
    for (const doc of resources) if (doc.kind === 'step') steps[doc.stepId] = toStepRecord(doc);
    const { id: _id, kind: _kind, ...rest } = run;
    return { ...rest, steps };
  });
}

/** The run as the API shows it: every step of the spec, in spec order, pending unless recorded. */
export function withPendingSteps(run: RunView, spec: PipelineSpec | undefined): RunView {
  const steps: Record<string, StepRecord> = {};
  for (const step of spec?.steps ?? []) steps[step.id] = run.steps[step.id] ?? emptyStep();
  return { ...run, steps: { ...steps, ...run.steps } };
}

export async function listRuns(services: Services, pipeline: string, limit = 100): Promise<RunDocument[]> {
  return callDependency('cosmos', async () => {
    const container = await runs(services);
    const { resources } = await container.items
      .query<RunDocument>({
        query: "SELECT TOP @limit * FROM c WHERE c.kind = 'run' AND c.pipeline = @pipeline ORDER BY c.createdAt DESC",
        parameters: [
          { name: '@pipeline', value: pipeline },
          { name: '@limit', value: limit },
        ],
      })
      .fetchAll();
    return resources;
  });
}
