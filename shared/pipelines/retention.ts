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

/** Runs per purge: a purge stays short, and a backlog goes over the next ones. */
export const runsPerPurge = 200;

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

/** Deletes the finished runs that ended before `cutoff` (at most `runsPerPurge`). */
export async function purgeExpiredRuns(services: Services, durable: RunPurger, cutoff: Date): Promise<RunPurge> {
  const expired = await runHeaders(services).query({
    query: `SELECT TOP @limit c.id, c.runId, c.retryOf FROM c WHERE c.kind = 'run' AND c.state IN (${finishedStates.map((s) => `'${s}'`).join(', ')}) AND c.endedAt < @cutoff`,
    parameters: [
      { name: '@limit', value: runsPerPurge },
      { name: '@cutoff', value: cutoff.toISOString() },
    ],
  });
  const result: RunPurge = { purged: [], kept: [], blobs: 0 };
  if (!expired.length) return result;
  const reused = await runsReusedByLiveRetries(services);
  for (const { runId } of expired) {
    if (reused.has(runId)) {
      result.kept.push({ runId, reason: 'a pending or running retry reuses its outputs' });
      continue;
    }
    try {
      result.blobs += await deleteStagingBlobs(services, runId);
      // A finished run's orchestration is finished too; a backend that still sees it running refuses, and the run stays.
      await durable.purgeInstanceHistory(runId);
      await deleteRunDocuments(services, runId);
      result.purged.push(runId);
    } catch (error) {
      result.kept.push({ runId, reason: messageOf(error) });
    }
  }
  return result;
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

/** The run's step documents, then the run document itself. */
async function deleteRunDocuments(services: Services, runId: string): Promise<void> {
  const documents = documentIds(services);
  const ids = (await documents.query({ query: 'SELECT c.id FROM c WHERE c.runId = @runId', parameters: [{ name: '@runId', value: runId }] }, { partitionKey: runId })).map(
    (document) => document.id,
  );
  for (const id of ids.filter((id) => id !== runId)) await documents.delete(id, runId);
  await documents.delete(runId, runId);
}

/**
 * Durable histories of every finished orchestration (completed, failed, terminated) created
 * before the cutoff, whatever started it: one call to the durable client's purge by filter,
 * which the extension (and the local host) answer for the whole task hub. Running and pending
 * instances are never in the filter.
 */
export async function purgeFinishedInstances(durable: InstancePurger, cutoff: Date): Promise<number> {
  const result = await durable.purgeInstanceHistoryBy({
    createdTimeFrom: new Date(0),
    createdTimeTo: cutoff,
    runtimeStatus: [df.OrchestrationRuntimeStatus.Completed, df.OrchestrationRuntimeStatus.Failed, df.OrchestrationRuntimeStatus.Terminated],
  });
  return result.instancesDeleted;
}
