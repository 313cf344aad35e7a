import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository } from '../storage/cosmos.js';
import { driftContainer } from './store.js';

/** Reports per purge: a purge stays short, and a backlog goes over the next ones. */
export const reportsPerPurge = 1_000;

const reportKey = z.object({ id: z.string(), view: z.string() });

/**
 * Deletes drift reports that ran before the cutoff (at most `reportsPerPurge`); reference
 * profiles are not reports and stay until replaced. Returns how many went.
 */
export async function purgeExpiredReports(services: Services, cutoff: Date): Promise<number> {
  const reports = cosmosRepository(services.cosmos, driftContainer, reportKey);
  const expired = await reports.query({
    query: "SELECT TOP @limit c.id, c.view FROM c WHERE c.kind = 'report' AND c.ranAt < @cutoff",
    parameters: [
      { name: '@limit', value: reportsPerPurge },
      { name: '@cutoff', value: cutoff.toISOString() },
    ],
  });
  let deleted = 0;
  for (const { id, view } of expired) if (await reports.delete(id, view)) deleted++;
  return deleted;
}
