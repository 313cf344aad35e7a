import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { callDependency } from '../storage/dependency.js';
import type { ErrorDetail } from '../platform/errors.js';
import { withDuckDb } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { eventTimestampColumn, type FeatureRegistry } from './definitions.js';
import { readJobRecord, writeJobRecord } from './jobs-store.js';
import { rowsIngested, rowsRejected } from './metrics.js';
import { writeOnline } from './online.js';
import type { FeatureStores } from './ports.js';
import { recordIngestFile } from './ingest-files.js';
import { resolveView } from './registry.js';
import { nameRuleMessage, nameSchema } from '../platform/names.js';
import { featureRowFromDuckDb } from './rows.js';
import { formatOf, stageFile, typedStagedQuery, validateStaged } from './staging.js';
import { quoteIdentifier } from '../platform/duckdb.js';

export const ingestContainer = 'ingest';
export const quarantineContainer = 'ingest-quarantine';

export type IngestOutcome =
  | { status: 'ingested'; view: string; rows: number; partitions: string[]; online?: { written: number; older: number } }
  | { status: 'duplicate'; view: string; sha256: string }
  | { status: 'quarantined'; view: string; problems: ErrorDetail[] };

const ingestionRecord = z.object({
  file: z.string(),
  sha256: z.string(),
  rows: z.number().int().min(0),
  partitions: z.array(z.string()),
  at: z.iso.datetime(),
});

/**
 * A file dropped at ingest/<view>/<file>: validated whole against the view's schema, then written
 * to the offline store (and the online one when the view is online). Identical bytes are
 * recognised by their hash and write nothing again; parts are named by that hash, so a retry
 * after a crash overwrites its own parts. A bad file moves to ingest-quarantine/ beside a
 * reason file, and nothing of it is written.
 */
export async function ingestFile(
  services: Services,
  stores: FeatureStores,
  registry: FeatureRegistry,
  input: { view: string; file: string; content: Buffer },
  now: Date,
): Promise<IngestOutcome> {
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  const recordId = `ingest-${sha256}`;
  // Listed by its blob name in the ingest container (`<view>/<file>`), as a user dropped it.
  const version = { file: `${input.view}/${input.file}`, sha256, bytes: input.content.length, at: now.toISOString() };
  const resolved = resolveView(registry, input.view);
  if (!resolved) return quarantine(services, input, version, [unknownViewQuarantine(input.view)], now);
  const seen = await readJobRecord(services, input.view, recordId, ingestionRecord);
  if (seen) {
    // The same file again (a re-delivery, or a retry after a crash between the write and its
    // record) is still the ingested one; other files with these bytes are unchanged.
    if (seen.file === input.file) await recordIngestFile(services, input.view, { ...version, state: 'ingested', rows: seen.rows, partitions: seen.partitions, at: seen.at });
    else await recordIngestFile(services, input.view, { ...version, state: 'unchanged', sameAs: `${input.view}/${seen.file}` });
    return { status: 'duplicate', view: input.view, sha256 };
  }
  const format = formatOf(input.file);
  if (!format) return quarantine(services, input, version, [{ field: 'file', problem: 'must end in .csv, .jsonl or .parquet' }], now);
  const { view, entity } = resolved;

  const outcome = await withDuckDb(async (session) => {
    const path = join(session.scratch, `input.${format}`);
    await writeFile(path, input.content);
    const staging = await stageFile(session, path, format, view, entity);
    if (staging.length) return { problems: staging, rows: 0 };
    const checked = await validateStaged(session, view, entity, { now, maxFutureSeconds: services.settings.ARBOR_FEATURE_MAX_FUTURE_SECONDS }, { format });
    if (checked.problems.length) return { problems: checked.problems, rows: checked.rows };
    if (checked.rows === 0) return { problems: [{ field: '(file)', problem: 'has no rows' }], rows: 0 };
    const written = await stores.offline.writeParts(session, view, entity, typedStagedQuery(view, entity), `ingest-${sha256.slice(0, 20)}`, now);
    let online: { written: number; older: number } | undefined;
    if (view.online) {
      const keys = entity.joinKeys.map((k) => quoteIdentifier(k.name));
      // The newest row per entity; of rows sharing that time, the first in the file, as the
      // online store keeps the first row of a time in a pushed batch.
      const latest = await session.rows(
        `SELECT *, epoch_ms(${eventTimestampColumn}) AS _ms FROM (${typedStagedQuery(view, entity)})
         QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${eventTimestampColumn} DESC, _row ASC) = 1`,
      );
      online = await writeOnline(
        stores.online,
        view,
        entity,
        latest.map(
          (row) => featureRowFromDuckDb(view, entity, row),
        ),
      );
    }
    return { problems: [], rows: written.rows, partitions: written.partitions, online };
  });
  if (outcome.problems.length) {
    rowsRejected.inc({ view: view.name, path: 'ingest' }, outcome.rows);
    return quarantine(services, input, version, outcome.problems, now);
  }
  const partitions = outcome.partitions ?? [];
  await writeJobRecord(services, view.name, recordId, ingestionRecord, { file: input.file, sha256, rows: outcome.rows, partitions, at: now.toISOString() });
  await recordIngestFile(services, view.name, { ...version, state: 'ingested', rows: outcome.rows, partitions });
  rowsIngested.inc({ view: view.name, path: 'ingest' }, outcome.rows);
  return { status: 'ingested', view: view.name, rows: outcome.rows, partitions, ...(outcome.online ? { online: outcome.online } : {}) };
}

/**
 * Why a file under a folder that is no registered view was quarantined. The hint names a call
 * only when it can succeed: a folder that breaks the naming rule cannot become a view.
 */
function unknownViewQuarantine(view: string): ErrorDetail {
  const named = nameSchema.safeParse(view);
  if (!named.success) return { field: 'view', problem: `"${view}" cannot be a feature view (a name ${nameRuleMessage}): drop files under ingest/<view>/ of a registered view` };
  return { field: 'view', problem: `"${view}" is not a registered feature view: register it (POST /api/features/registry), then drop the file again` };
}

/** Copies the file and its reason to quarantine first, then removes it from ingest: nothing is lost. */
async function quarantine(
  services: Services,
  input: { view: string; file: string; content: Buffer },
  version: { file: string; sha256: string; bytes: number; at: string },
  problems: ErrorDetail[],
  now: Date,
): Promise<IngestOutcome> {
  await callDependency('blob', async () => {
    await services.ensureContainer(quarantineContainer);
    const target = services.blob.getContainerClient(quarantineContainer);
    const name = `${input.view}/${input.file}`;
    await target.getBlockBlobClient(name).uploadData(input.content);
    const reason = JSON.stringify({ view: input.view, file: input.file, problems, at: now.toISOString() }, null, 2);
    await target.getBlockBlobClient(`${name}.reason.json`).uploadData(Buffer.from(reason), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    await services.blob.getContainerClient(ingestContainer).getBlobClient(name).deleteIfExists();
  });
  // Recorded after the move: a crash before it leaves the file in ingest/, delivered again.
  await recordIngestFile(services, input.view, { ...version, state: 'quarantined', problems, quarantinedAs: `${quarantineContainer}/${input.view}/${input.file}` });
  return { status: 'quarantined', view: input.view, problems };
}
