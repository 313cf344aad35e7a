import { createHash } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { listPipelines } from './registry.js';
import { startRun } from './run-service.js';
import { getRunDocument } from './runs.js';

export interface LandedFileVersion {
  dataset: string;
  /** The file's name within its dataset. */
  file: string;
  /** The catalogue's version of the file: new bytes, new version. */
  version: number;
}

/** One run id per pipeline and file version, so a re-delivered blob cannot start a second run. */
export function landedRunId(pipeline: string, landed: LandedFileVersion): string {
  const digest = createHash('sha256').update(`${landed.dataset}/${landed.file}#${landed.version}`).digest('hex').slice(0, 16);
  return `${pipeline}-landed-${digest}`;
}

/**
 * Starts every pipeline whose `on.landed` matches a file version that landed, once per
 * version: the run id is derived from it, so a re-delivery (or a second instance) finds the run
 * recorded and starts nothing. Called on every delivery, written or not, so a crash between
 * cataloguing and starting is made good by the retry.
 */
export async function startLandedRuns(
  services: Services,
  client: Pick<DurableClient, 'startNew'>,
  landed: LandedFileVersion,
  now: Date,
): Promise<{ started: string[]; failed: Array<{ pipeline: string; error: string }> }> {
  const started: string[] = [];
  const failed: Array<{ pipeline: string; error: string }> = [];
  for (const pipeline of await listPipelines(services)) {
    const trigger = pipeline.spec.on?.landed;
    if (!trigger || trigger.dataset !== landed.dataset || !landed.file.startsWith(trigger.prefix)) continue;
    const runId = landedRunId(pipeline.name, landed);
    if (await getRunDocument(services, runId)) continue;
    try {
      await startRun(services, client, { pipeline: pipeline.name, params: { [trigger.param]: `${landed.dataset}/${landed.file}` }, trigger: 'landed', now, runId });
      started.push(runId);
    } catch (error) {
      // Another instance got there first: the run exists, and that is the one.
      if (await getRunDocument(services, runId)) continue;
      failed.push({ pipeline: pipeline.name, error: messageOf(error) });
    }
  }
  return { started, failed };
}
