import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { callDependency } from '../storage/dependency.js';
import { cosmosRepository } from '../storage/cosmos.js';
import { runsContainer } from './runs.js';
import { pipelineContainer } from './step-type.js';

/**
 * Retention of what pipelines leave behind. A finished run (succeeded, failed or cancelled)
 * that ended before the cutoff goes whole: its staging blobs, its orchestration's durable
 * history, its step documents, and its run document last, so a purge cut short leaves the run
 * findable and the next purge finishes it. A pending or running run is never touched, and
 * neither is a finished run that a pending or running retry reuses outputs from (directly or
 * through a chain of retries): its staging blobs are that retry's inputs.
 */

export type RunPurger = Pick<DurableClient, 'purgeInstanceHistory'>;
export type InstancePurger = Pick<DurableClient, 'purgeInstanceHistoryBy'>;

/** Runs read per query, and the most one purge deletes: a backlog beyond it goes at the next purges. */
export const runsPerBatch = 200;
export const runsPerPurge = 10_000;
/** Runs purged in parallel: enough to overlap round trips, few enough to leave the app's dependencies to its requests. */
const runsAtOnce = 4;

const finishedStates = ['succeeded', 'failed', 'cancelled'] as const;

const runHeader = z.object({ id: z.string(), runId: z.string(), retryOf: z.string().optional() });
const runHeaders = (services: Services) => cosmosRepository(services.cosmos, runsContainer, runHeader);
const documentIds = (services: Services) => cosmosRepository(services.cosmos, runsContainer, z.object({ id: z.string() }));

export interface RunPurge {
  /** Runs deleted whole. */
  purged: string[];
  /** Expired runs kept this time, and why. */
  kept: Array<{ runId: string; reason: string }>;
  /** Staging blobs deleted with the purged runs. */
  blobs: number;
}

/** Runs that pending or running retries take outputs from, following retry chains to their start. */
async function runsReusedByLiveRetries(services: Services): Promise<Set<string>> {
  const live = await runHeaders(services).query({
    query: "SELECT c.id, c.runId, c.retryOf FROM c WHERE c.kind = 'run' AND c.state IN ('pending', 'running') AND IS_DEFINED(c.retryOf)",
  });
  const reused = new Set<string>();
  for (const run of live) {
    let next = run.retryOf;
    while (next !== undefined && !reused.has(next)) {
      reused.add(next);
      next = (await runHeaders(services).read(next, next))?.retryOf;
    }
  }
  return reused;
}

/** Deletes the finished runs that ended before `cutoff`, up to `runsPerPurge`, a batch at a time. */
export async function purgeExpiredRuns(services: Services, durable: RunPurger, cutoff: Date): Promise<RunPurge> {
  const result: RunPurge = { purged: [], kept: [], blobs: 0 };
  let reused: Set<string> | undefined;
  while (result.purged.length < runsPerPurge) {
    const expired = await runHeaders(services).query({
      query: `SELECT TOP @limit c.id, c.runId, c.retryOf FROM c WHERE c.kind = 'run' AND c.state IN (${finishedStates.map((s) => `'${s}'`).join(', ')}) AND c.endedAt < @cutoff`,
      parameters: [
        { name: '@limit', value: runsPerBatch },
        { name: '@cutoff', value: cutoff.toISOString() },
      ],
    });
    // Read once per purge, after the first batch shows there is something to purge.
    const reusedNow = (reused ??= expired.length ? await runsReusedByLiveRetries(services) : new Set());
    const before = result.purged.length;
    const candidates = expired.map((run) => run.runId).filter((runId) => !result.kept.some((kept) => kept.runId === runId));
    for (const runId of candidates.filter((id) => reusedNow.has(id))) result.kept.push({ runId, reason: 'a pending or running retry reuses its outputs' });
    const purgeable = candidates.filter((id) => !reusedNow.has(id));
    const steps = await stepDocumentIds(services, purgeable);
    for (let start = 0; start < purgeable.length; start += runsAtOnce) {
      await Promise.all(
        purgeable.slice(start, start + runsAtOnce).map(async (runId) => {
          try {
            const blobs = await purgeRun(services, durable, runId, steps.get(runId) ?? []);
            result.blobs += blobs;
            result.purged.push(runId);
          } catch (error) {
            result.kept.push({ runId, reason: messageOf(error) });
          }
        }),
      );
    }
    // A short batch was the last; a batch that purged nothing holds only runs kept this time.
    if (expired.length < runsPerBatch || result.purged.length === before) break;
  }
  return result;
}

/** One run whole, in the order that leaves it findable if cut short; returns its staging blobs deleted. */
async function purgeRun(services: Services, durable: RunPurger, runId: string, stepDocuments: readonly string[]): Promise<number> {
  const blobs = await deleteStagingBlobs(services, runId);
  // A finished run's orchestration is finished too; a backend that still sees it running refuses, and the run stays.
  await durable.purgeInstanceHistory(runId);
  const documents = documentIds(services);
  await Promise.all(stepDocuments.map((id) => documents.delete(id, runId)));
  await documents.delete(runId, runId);
  return blobs;
}

/**
 * The step documents of many runs in one query (a partition query per run costs a full scan
 * each on the emulator); a step document written after it is read would outlive its run, but
 * a finished run writes none.
 */
async function stepDocumentIds(services: Services, runIds: readonly string[]): Promise<Map<string, string[]>> {
  const byRun = new Map<string, string[]>();
  if (!runIds.length) return byRun;
  const steps = await cosmosRepository(services.cosmos, runsContainer, z.object({ id: z.string(), runId: z.string() })).query({
    query: "SELECT c.id, c.runId FROM c WHERE c.kind = 'step' AND ARRAY_CONTAINS(@runs, c.runId)",
    parameters: [{ name: '@runs', value: [...runIds] }],
  });
  for (const step of steps) byRun.set(step.runId, [...(byRun.get(step.runId) ?? []), step.id]);
  return byRun;
}

/** Everything a run's steps staged, under `runs/<runId>/` in the pipelines container. */
async function deleteStagingBlobs(services: Services, runId: string): Promise<number> {
  const container = services.blob.getContainerClient(pipelineContainer);
  return callDependency('blob', async () => {
    if (!(await container.exists())) return 0;
    let deleted = 0;
    for await (const blob of container.listBlobsFlat({ prefix: `runs/${runId}/` })) {
      if ((await container.getBlobClient(blob.name).deleteIfExists()).succeeded) deleted++;
    }
    return deleted;
  });
}

/**
 * Durable histories of finished orchestrations, whatever started them, by the durable client's
 * purge by filter (answered for the whole task hub by the extension and by the local host):
 * completed and terminated ones created before `cutoff`, failed ones (an orchestrator that
 * threw: a bug or a refused run, worth diagnosing) only before `failedCutoff`. Running and
 * pending instances are never in the filter.
 */
export async function purgeFinishedInstances(durable: InstancePurger, cutoffs: { cutoff: Date; failedCutoff: Date }): Promise<number> {
  const { Completed, Terminated, Failed } = df.OrchestrationRuntimeStatus;
  const purge = async (createdTimeTo: Date, runtimeStatus: df.OrchestrationRuntimeStatus[]) =>
    (await durable.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0), createdTimeTo, runtimeStatus })).instancesDeleted;
  return (await purge(cutoffs.cutoff, [Completed, Terminated])) + (await purge(cutoffs.failedCutoff, [Failed]));
}
