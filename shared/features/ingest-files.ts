import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { listJobRecords, writeJobRecord } from './jobs-store.js';
import { loadRegistry, requireView } from './registry.js';

/**
 * What became of each file dropped under ingest/<view>/: one record per file version (its
 * name and its bytes), so `GET /api/features/ingest/{view}` can say, without the user reading
 * logs or listing the quarantine, whether a file was ingested (rows, partitions, when), was
 * the same bytes as a file seen before (unchanged, nothing written), or was quarantined (why).
 * Kept beside the view's other job records (feature-jobs, partitioned by view).
 */
export const ingestFileStates = ['ingested', 'unchanged', 'quarantined'] as const;
export type IngestFileState = (typeof ingestFileStates)[number];

const recordKind = 'ingestFile';

export const ingestFileRecordSchema = z.object({
  kind: z.literal(recordKind),
  /** The blob's name in the ingest container: `<view>/<file>`. */
  file: z.string(),
  sha256: z.string(),
  bytes: z.number().int().min(0),
  state: z.enum(ingestFileStates),
  /** When this version was handled (the trigger's time). */
  at: z.iso.datetime(),
  /** Ingested: rows written and the offline partitions they went to. */
  rows: z.number().int().min(0).optional(),
  partitions: z.array(z.string()).optional(),
  /** Unchanged: the file whose identical bytes were ingested before. */
  sameAs: z.string().optional(),
  /** Quarantined: every problem found, and where the file and its reason now are. */
  problems: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  quarantinedAs: z.string().optional(),
});
export type IngestFileRecord = z.output<typeof ingestFileRecordSchema>;
/** A record as the status route lists it. */
export type IngestFileEntry = Omit<IngestFileRecord, 'kind'>;

/** One id per (file, bytes): a re-delivery of the same version rewrites its own record. Cosmos ids may not hold '/'. */
function recordId(file: string, sha256: string): string {
  return `file-${createHash('sha1').update(file).digest('hex')}-${sha256.slice(0, 16)}`;
}

export async function recordIngestFile(services: Services, view: string, record: Omit<IngestFileRecord, 'kind'>): Promise<void> {
  await writeJobRecord(services, view, recordId(record.file, record.sha256), ingestFileRecordSchema, { kind: recordKind, ...record });
}

/** The newest `limit` file versions of a view, newest first. */
export async function listIngestFiles(services: Services, view: string, limit: number): Promise<IngestFileEntry[]> {
  const records = await listJobRecords(services, view, recordKind, ingestFileRecordSchema, limit);
  return records.map(({ id: _id, view: _view, kind: _kind, ...record }) => record);
}

/** The ingest status route's answer: 404 unknown_view for a view the registry does not hold. */
export async function ingestStatus(services: Services, view: string, limit: number): Promise<{ view: string; files: IngestFileEntry[] }> {
  requireView(await loadRegistry(services), view);
  return { view, files: await listIngestFiles(services, view, limit) };
}
