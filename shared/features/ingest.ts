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
import { resolveView } from './registry.js';
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
  const resolved = resolveView(registry, input.view);
  if (!resolved) return quarantine(services, input, [{ field: 'view', problem: `"${input.view}" is not a registered feature view` }], now);
  if (await readJobRecord(services, input.view, recordId, ingestionRecord)) return { status: 'duplicate', view: input.view, sha256 };
  const format = formatOf(input.file);
  if (!format) return quarantine(services, input, [{ field: 'file', problem: 'must end in .csv, .jsonl or .parquet' }], now);
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
    return quarantine(services, input, outcome.problems, now);
  }
  const partitions = outcome.partitions ?? [];
  await writeJobRecord(services, view.name, recordId, ingestionRecord, { file: input.file, sha256, rows: outcome.rows, partitions, at: now.toISOString() });
  rowsIngested.inc({ view: view.name, path: 'ingest' }, outcome.rows);
  return { status: 'ingested', view: view.name, rows: outcome.rows, partitions, ...(outcome.online ? { online: outcome.online } : {}) };
}

/** Copies the file and its reason to quarantine first, then removes it from ingest: nothing is lost. */
async function quarantine(
  services: Services,
  input: { view: string; file: string; content: Buffer },
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
  return { status: 'quarantined', view: input.view, problems };
}
