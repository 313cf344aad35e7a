import { z } from 'zod';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';

/**
 * Long feature-store work (a materialization or a training set too big to answer inside one
 * HTTP request) as a job: one small document per job, read by id, so a caller polls it while
 * a durable orchestration does the work (job-orchestrator.ts). Its own partition per job: the
 * orchestration's activities write progress while the caller reads, and jobs never contend.
 */
export const jobsContainer: ContainerDefinition = { id: 'jobs', partitionKey: '/id' };

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];
export const jobKinds = ['materialize', 'historical'] as const;
export type JobKind = (typeof jobKinds)[number];

/** What a job was asked to do, checked at the edge before the job was created. */
export const jobRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('materialize'), view: z.string(), start: z.iso.datetime().optional(), end: z.iso.datetime().optional() }),
  z.object({
    kind: z.literal('historical'),
    features: z.array(z.string()),
    /** `staged`: the caller's inline rows, kept as a blob by the job; `blob`: the caller's own file. */
    source: z.object({ kind: z.enum(['staged', 'blob']), container: z.string(), name: z.string() }),
  }),
]);
export type JobRequest = z.output<typeof jobRequest>;

const jobError = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
export type JobError = z.output<typeof jobError>;

const jobDocument = z.object({
  id: z.string(),
  kind: z.enum(jobKinds),
  state: z.enum(jobStates),
  request: jobRequest,
  progress: z.object({ done: z.number().int().min(0), total: z.number().int().min(0), unit: z.enum(['partitions', 'rows']) }),
  result: z.record(z.string(), z.unknown()).optional(),
  error: jobError.optional(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  cancelRequestedAt: z.iso.datetime().optional(),
});
export type JobDocument = z.output<typeof jobDocument>;
export type JobProgress = JobDocument['progress'];

/** The job as the API shows it. */
export type JobView = JobDocument;

export const jobIdPattern = /^job-[a-z]+-\d{8}T\d{6}Z-[0-9a-f]{8}$/;
export const isFinishedJob = (state: JobState): boolean => state === 'succeeded' || state === 'failed' || state === 'cancelled';

const jobDocuments = (services: Services) => cosmosRepository(services.cosmos, jobsContainer, jobDocument);

export async function createJob(services: Services, job: JobDocument): Promise<void> {
  await jobDocuments(services).create(job);
}

export async function readJob(services: Services, jobId: string): Promise<JobDocument | undefined> {
  return jobDocuments(services).read(jobId, jobId);
}

export async function requireJob(services: Services, jobId: string): Promise<JobDocument> {
  const job = await readJob(services, jobId);
  if (!job) throw new NotFoundError('job', jobId);
  return job;
}

export function jobView(job: JobDocument): JobView {
  return job;
}

/** Sets the given fields (a shallow merge); fields left out keep their value. */
export async function updateJob(services: Services, jobId: string, change: Partial<Pick<JobDocument, 'state' | 'startedAt' | 'progress'>>): Promise<void> {
  const operations = Object.entries(change)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ op: 'set' as const, path: `/${key}`, value }));
  if (operations.length) await jobDocuments(services).patch(jobId, jobId, operations);
}

/** True when someone asked the job to stop: what its steps check between chunks. */
export async function cancelRequested(services: Services, jobId: string): Promise<boolean> {
  return (await readJob(services, jobId))?.cancelRequestedAt !== undefined;
}

/**
 * Asks a queued or running job to stop. The request is recorded conditionally on the document
 * read, so a job that ends meanwhile is answered 409, never "cancelling" after it finished.
 */
export async function requestCancel(services: Services, jobId: string, now: Date): Promise<JobDocument> {
  const documents = jobDocuments(services);
  for (let attempt = 0; ; attempt++) {
    const stored = await documents.readWithEtag(jobId, jobId);
    if (!stored) throw new NotFoundError('job', jobId);
    const job = stored.document;
    if (isFinishedJob(job.state)) throw new ConflictError(`job "${jobId}" is ${job.state}; only a queued or running job can be cancelled`, [{ field: 'state', problem: `is ${job.state}` }]);
    if (job.cancelRequestedAt) return job;
    const cancelled = { ...job, cancelRequestedAt: now.toISOString() };
    try {
      await documents.replace(cancelled, jobId, stored.etag);
      return cancelled;
    } catch (error) {
      // Progress written between the read and the replace: read again.
      if ((error as { code?: unknown }).code !== 412 || attempt >= 20) throw error;
    }
  }
}

/**
 * Ends a job: its final state, result or error, written only if it has not ended yet (a
 * repeated finishing activity changes nothing).
 */
export async function endJob(services: Services, jobId: string, end: Pick<JobDocument, 'state'> & Partial<Pick<JobDocument, 'result' | 'error' | 'progress'>>, now: Date): Promise<JobDocument | undefined> {
  const documents = jobDocuments(services);
  for (let attempt = 0; ; attempt++) {
    const stored = await documents.readWithEtag(jobId, jobId);
    if (!stored) return undefined;
    if (isFinishedJob(stored.document.state)) return stored.document;
    const ended: JobDocument = { ...stored.document, ...end, endedAt: now.toISOString() };
    try {
      await documents.replace(ended, jobId, stored.etag);
      return ended;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 412 || attempt >= 20) throw error;
    }
  }
}

/** The newest jobs first, at most `limit`, optionally of one state. */
export async function listJobs(services: Services, options: { limit: number; state?: JobState }): Promise<JobView[]> {
  const jobs = await jobDocuments(services).query({
    query: `SELECT TOP @limit * FROM c${options.state ? ' WHERE c.state = @state' : ''} ORDER BY c.createdAt DESC`,
    parameters: [{ name: '@limit', value: options.limit }, ...(options.state ? [{ name: '@state', value: options.state }] : [])],
  });
  return jobs.slice(0, options.limit).map(jobView);
}
