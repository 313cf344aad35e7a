import type { DurableClient } from 'durable-functions';
import { callDependency } from '../storage/dependency.js';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { listPipelines } from './registry.js';
import { startRun } from './run-service.js';
import { latestDueTime } from './schedule.js';

/** A host down longer than this starts one run when it is back, not one per missed time. */
export const scheduleLookBackMs = 10 * 60_000;

/**
 * Starts every scheduled pipeline whose schedule came due, once per due time even when several
 * hosts run this at once: each due time is claimed in Redis with SET NX first, and the run id
 * is derived from it.
 */
export async function startDueRuns(
  services: Services,
  client: Pick<DurableClient, 'startNew'>,
  now: Date,
): Promise<{ started: string[]; failed: Array<{ pipeline: string; error: string }> }> {
  const started: string[] = [];
  const failed: Array<{ pipeline: string; error: string }> = [];
  for (const pipeline of await listPipelines(services)) {
    const schedule = pipeline.spec.schedule;
    if (!schedule) continue;
    const due = latestDueTime(schedule, now, new Date(pipeline.registeredAt), scheduleLookBackMs);
    if (!due) continue;
    const claim = await callDependency('redis', () =>
      services.redis.set(`pipeline-schedule:${pipeline.name}:${due.toISOString()}`, services.hostId, 'PX', 7 * 86_400_000, 'NX'),
    );
    if (claim !== 'OK') continue;
    const runId = `${pipeline.name}-sched-${due.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    try {
      await startRun(services, client, { pipeline: pipeline.name, params: {}, trigger: 'schedule', now, runId });
      started.push(runId);
    } catch (error) {
      failed.push({ pipeline: pipeline.name, error: messageOf(error) });
    }
  }
  return { started, failed };
}
