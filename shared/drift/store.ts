import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { driftReportSchema, type DriftReport } from './report.js';

/** Drift reports and reference profiles, partitioned by feature view. */
export const driftContainer: ContainerDefinition = { id: 'drift', partitionKey: '/view' };

const profileSchema = z.object({
  name: z.string(),
  view: z.string(),
  source: z.object({
    window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).optional(),
    trainingSet: z.object({ container: z.string(), name: z.string() }).optional(),
  }),
  rows: z.number().int().min(0),
  features: z.record(
    z.string(),
    /** Categorical: `counts` per category. Numeric: `count` finite values, as `counts` per value (few distinct values) or `quantiles` (drift/profiles.ts). */
    z.object({
      kind: z.enum(['numeric', 'categorical']),
      rows: z.number().int().min(0),
      nulls: z.number().int().min(0),
      count: z.number().int().min(0).optional(),
      quantiles: z.array(z.number()).optional(),
      counts: z.record(z.string(), z.number().int().min(0)).optional(),
    }),
  ),
  createdAt: z.iso.datetime(),
});
export type StoredProfile = z.output<typeof profileSchema>;

export type StoredReport = DriftReport & { id: string };

const profiles = (services: Services) =>
  cosmosRepository(services.cosmos, driftContainer, profileSchema.extend({ id: z.string(), kind: z.literal('profile') }));
const reports = (services: Services) =>
  cosmosRepository(services.cosmos, driftContainer, driftReportSchema.extend({ id: z.string(), kind: z.literal('report') }));

export async function saveProfile(services: Services, profile: StoredProfile): Promise<void> {
  await profiles(services).upsert({ ...profile, id: `profile-${profile.name}`, kind: 'profile' });
}

export async function readProfile(services: Services, view: string, name: string): Promise<StoredProfile | undefined> {
  const stored = await profiles(services).read(`profile-${name}`, view);
  if (!stored) return undefined;
  const { id: _id, kind: _kind, ...profile } = stored;
  return profile;
}

export async function saveReport(services: Services, report: DriftReport): Promise<StoredReport> {
  // Ids sort by time, so the newest report is the greatest id.
  const stored = { ...report, id: `report-${report.ranAt}-${randomBytes(3).toString('hex')}` };
  await reports(services).create({ ...stored, kind: 'report' });
  return stored;
}

export async function listReports(services: Services, view: string, limit: number): Promise<StoredReport[]> {
  // The first page of a query sorted newest first is the answer; no OFFSET/LIMIT needed.
  const stored = await reports(services).firstPage(
    { query: "SELECT * FROM c WHERE c.view = @view AND c.kind = 'report' ORDER BY c.id DESC", parameters: [{ name: '@view', value: view }] },
    { partitionKey: view, maxItemCount: limit },
  );
  return stored.map(({ kind: _kind, ...report }) => report);
}
