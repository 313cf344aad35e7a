import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import { zodDetails } from '../platform/validation-errors.js';
import { withDuckDb } from '../platform/duckdb.js';
import type { FeatureRegistry } from './definitions.js';
import { rowsIngested, rowsRejected } from './metrics.js';
import { writeOnline } from './online.js';
import type { FeatureStores, OnlineWriteResult } from './ports.js';
import { requireView } from './registry.js';
import { rowSchema, type FeatureRow } from './rows.js';
import { stageFile, typedStagedQuery, validateStaged } from './staging.js';

export type PushTarget = 'online' | 'offline' | 'both';

export interface PushResult {
  view: string;
  rows: number;
  online?: OnlineWriteResult;
  offline?: { rows: number; partitions: string[] };
}

/**
 * Writes rows of one view. Every row is validated first (all problems at once, nothing written
 * on error): types, the int64 range, event times no further ahead than `limits` allows. The
 * offline store is written before the online one, since it is the record.
 */
export async function pushRows(
  stores: FeatureStores,
  registry: FeatureRegistry,
  request: { view: string; rows: ReadonlyArray<Record<string, unknown>>; to: PushTarget },
  now: Date,
  /** ARBOR_FEATURE_MAX_FUTURE_SECONDS: how far past `now` an event_timestamp may be. */
  limits: { maxFutureSeconds: number },
): Promise<PushResult> {
  const { view, entity } = requireView(registry, request.view);
  if (request.to !== 'offline' && !view.online) {
    throw new BadRequestError('view_not_online', `${view.name} is not served online`, [{ field: 'to', problem: `${view.name} has online: false; push to "offline"` }]);
  }
  const schema = rowSchema(view, entity, { now, maxFutureSeconds: limits.maxFutureSeconds });
  const problems: ErrorDetail[] = [];
  const rows: FeatureRow[] = [];
  request.rows.forEach((row, index) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) rows.push(parsed.data);
    else problems.push(...zodDetails(parsed.error.issues, `rows[${index}]`));
  });
  if (problems.length) {
    rowsRejected.inc({ view: view.name, path: 'push' }, request.rows.length);
    throw new ValidationError(problems.slice(0, 100));
  }
  const result: PushResult = { view: view.name, rows: rows.length };
  // A view the online store refuses (tag_binding_mismatch) is refused before the offline write, so nothing changes.
  if (request.to === 'both') await stores.online.checkTags([view]);
  if (request.to !== 'online') {
    result.offline = await withDuckDb(async (session) => {
      const path = join(session.scratch, 'push.jsonl');
      await writeFile(path, request.rows.map((row) => JSON.stringify(row)).join('\n'));
      const staged = [...(await stageFile(session, path, 'jsonl', view, entity)), ...(await validateStaged(session, view, entity)).problems];
      // zod has checked every row; DuckDB disagreeing is our bug, not the caller's.
      if (staged.length) throw new Error(`pushed rows failed staging after validation: ${JSON.stringify(staged)}`);
      return stores.offline.writeParts(session, view, entity, typedStagedQuery(view, entity), `push-${randomUUID()}`, now);
    });
  }
  if (request.to !== 'offline') result.online = await writeOnline(stores.online, view, entity, rows);
  rowsIngested.inc({ view: view.name, path: 'push' }, rows.length);
  return result;
}
