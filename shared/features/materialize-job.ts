import type { Services } from '../platform/services.js';
import type { JobFrame, JobStep, JobTally } from './job-contract.js';
import { cancelRequested, type JobDocument } from './job-records.js';
import {
  advanceWatermark,
  copyLatestRows,
  materializeWatermark,
  onlineView,
  partitionsToMaterialize,
  recordMaterialization,
  type MaterializeFilter,
  type MaterializeResult,
} from './materialize.js';
import type { Partition } from './ports.js';
import { loadRegistry } from './registry.js';
import { featureStores } from './stores.js';

type MaterializeRequest = Extract<JobDocument['request'], { kind: 'materialize' }>;

/**
 * Materialization as a job: the partitions to read are grouped by event date into steps of at
 * most ARBOR_FEATURE_JOB_BATCH_PARTITIONS (a date is never split), newest dates first, so the
 * freshest values are online first and older rows of an entity already written count as
 * `older`. Each step takes the newest row per entity of its own partitions: one (keys, event
 * time) lives in one date's partition, and the online write keeps the newer row, so the
 * outcome is the one materializeView reaches in one pass. The watermark moves once, when the
 * last step is done; a cancelled or failed job leaves it where it was, and the next run
 * copies again what the job had copied (harmless: the write is newer-only).
 */
export function batchPartitions(parts: readonly Partition[], perStep: number): Array<Extract<JobStep, { kind: 'partitions' }>> {
  const byDate = new Map<string, number>();
  for (const part of parts) byDate.set(part.date, (byDate.get(part.date) ?? 0) + 1);
  const dates = [...byDate.keys()].sort().reverse();
  const steps: Array<Extract<JobStep, { kind: 'partitions' }>> = [];
  for (const date of dates) {
    const count = byDate.get(date) ?? 0;
    const last = steps.at(-1);
    // Dates run newest first, so a step spans [its oldest date, its newest date].
    if (last && last.count + count <= perStep) {
      last.from = date;
      last.count += count;
    } else steps.push({ kind: 'partitions', from: date, to: date, count });
  }
  return steps;
}

function filterOf(request: MaterializeRequest, frame: JobFrame): MaterializeFilter {
  return {
    until: new Date(frame.until),
    ...(frame.since ? { since: new Date(frame.since) } : {}),
    ...(request.start ? { start: new Date(request.start) } : {}),
    ...(request.end ? { end: new Date(request.end) } : {}),
  };
}

const windowed = (request: MaterializeRequest) => request.start !== undefined || request.end !== undefined;

export async function planMaterializeJob(services: Services, request: MaterializeRequest, now: Date): Promise<{ steps: JobStep[]; total: number; frame: JobFrame }> {
  const registry = await loadRegistry(services, { fresh: true });
  const { view } = onlineView(registry, request.view);
  const watermark = windowed(request) ? {} : await materializeWatermark(services, view.name);
  const frame: JobFrame = {
    until: now.toISOString(),
    ...(watermark.since ? { since: watermark.since.toISOString() } : {}),
    ...(watermark.writtenAt ? { watermark: watermark.writtenAt } : {}),
  };
  const parts = await partitionsToMaterialize(featureStores(services), view.name, filterOf(request, frame));
  return { steps: batchPartitions(parts, services.settings.ARBOR_FEATURE_JOB_BATCH_PARTITIONS), total: parts.length, frame };
}

/** One step: the step's dates' partitions copied online, the cancel flag read before every chunk. */
export async function runMaterializeStep(
  services: Services,
  jobId: string,
  request: MaterializeRequest,
  step: Extract<JobStep, { kind: 'partitions' }>,
  frame: JobFrame,
): Promise<{ tally: JobTally; stopped: boolean }> {
  const registry = await loadRegistry(services, { fresh: true });
  const { view, entity } = onlineView(registry, request.view);
  const stores = featureStores(services);
  const filter = filterOf(request, frame);
  const parts = await partitionsToMaterialize(stores, view.name, filter, { from: step.from, to: step.to });
  const copied = await copyLatestRows(stores, view, entity, parts, filter, async () => !(await cancelRequested(services, jobId)));
  const tally: JobTally = { partitionsRead: parts.length, entities: copied.entities, written: copied.written, older: copied.older };
  if (copied.newestWrittenAt) tally.newestWrittenAt = copied.newestWrittenAt;
  if (copied.newestEvent) tally.newestEvent = copied.newestEvent;
  return { tally, stopped: copied.stopped };
}

/** The job's result: materializeView's answer, summed over the steps; the watermark moved if it succeeded. */
export async function finishMaterializeJob(
  services: Services,
  request: MaterializeRequest,
  tally: JobTally,
  frame: JobFrame | undefined,
  outcome: 'succeeded' | 'failed' | 'cancelled',
  now: Date,
): Promise<MaterializeResult> {
  const count = (key: string) => (typeof tally[key] === 'number' ? tally[key] : 0);
  const newest = (key: string) => (typeof tally[key] === 'string' ? tally[key] : undefined);
  const result: MaterializeResult = {
    view: request.view,
    mode: windowed(request) ? 'window' : 'incremental',
    partitionsRead: count('partitionsRead'),
    entities: count('entities'),
    written: count('written'),
    older: count('older'),
  };
  let watermark = frame?.watermark;
  if (outcome === 'succeeded' && !windowed(request)) {
    // Read again: a timer's run may have moved it while the job ran, and it never moves back.
    const stored = (await materializeWatermark(services, request.view)).writtenAt;
    watermark = await advanceWatermark(services, request.view, stored, newest('newestWrittenAt'), now);
  }
  if (watermark) result.watermark = watermark;
  if (outcome !== 'cancelled') recordMaterialization(request.view, outcome, outcome === 'succeeded' ? newest('newestEvent') : undefined, now);
  return result;
}
