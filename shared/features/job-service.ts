import { randomBytes } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { featureJobOrchestratorNames, type FeatureJobInput } from './job-contract.js';
import { createJob, endJob, type JobDocument, type JobKind } from './job-records.js';

export type JobStarter = Pick<DurableClient, 'startNew'>;

export function newJobId(kind: JobKind, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `job-${kind}-${stamp}-${randomBytes(4).toString('hex')}`;
}

/**
 * Records a job as queued, then starts its orchestration under the job's id. A job whose
 * orchestration could not start is recorded as failed rather than left queued for ever.
 */
export async function startJob(services: Services, client: JobStarter, job: Pick<JobDocument, 'id' | 'kind' | 'request' | 'progress'>, now: Date): Promise<JobDocument> {
  const document: JobDocument = { ...job, state: 'queued', createdAt: now.toISOString() };
  await createJob(services, document);
  try {
    await client.startNew(featureJobOrchestratorNames.job, { instanceId: job.id, input: { jobId: job.id } satisfies FeatureJobInput });
  } catch (error) {
    await endJob(services, job.id, { state: 'failed', error: { code: 'not_started', message: messageOf(error) } }, new Date());
    throw error;
  }
  return document;
}
