import { randomBytes } from 'node:crypto';
import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import { withoutSystemProperties, type ContainerDefinition } from '../storage/cosmos.js';
import type { DriftReport } from './report.js';

/** Drift reports and reference profiles, partitioned by feature view. */
export const driftContainer: ContainerDefinition = { id: 'drift', partitionKey: '/view' };

export interface StoredProfile {
  name: string;
  view: string;
  source: { window?: { start: string; end: string }; trainingSet?: { container: string; name: string } };
  rows: number;
  /** Categorical: `counts` per category. Numeric: `count` finite values, as `counts` per value (few distinct values) or `quantiles` (drift/profiles.ts). */
  features: Record<string, { kind: 'numeric' | 'categorical'; rows: number; nulls: number; count?: number; quantiles?: number[]; counts?: Record<string, number> }>;
  createdAt: string;
}

export interface StoredReport extends DriftReport {
  id: string;
}

export async function saveProfile(services: Services, profile: StoredProfile): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await services.cosmos.container(driftContainer);
    await container.items.upsert({ ...profile, id: `profile-${profile.name}`, kind: 'profile' });
  });
}

export async function readProfile(services: Services, view: string, name: string): Promise<StoredProfile | undefined> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(driftContainer);
    const { resource } = await container.item(`profile-${name}`, view).read<StoredProfile & { id?: string; kind?: string }>();
    if (!resource) return undefined;
    const { id: _id, kind: _kind, ...profile } = withoutSystemProperties(resource);
    return profile;
  });
}

export async function saveReport(services: Services, report: DriftReport): Promise<StoredReport> {
  // Ids sort by time, so the newest report is the greatest id.
  const stored = { ...report, id: `report-${report.ranAt}-${randomBytes(3).toString('hex')}` };
  await callDependency('cosmos', async () => {
    const container = await services.cosmos.container(driftContainer);
    await container.items.create({ ...stored, kind: 'report' });
  });
  return stored;
}

export async function listReports(services: Services, view: string, limit: number): Promise<StoredReport[]> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(driftContainer);
    // The first page of a query sorted newest first is the answer; no OFFSET/LIMIT needed.
    const { resources } = await container.items
      .query<StoredReport & { kind?: string }>(
        { query: "SELECT * FROM c WHERE c.view = @view AND c.kind = 'report' ORDER BY c.id DESC", parameters: [{ name: '@view', value: view }] },
        { partitionKey: view, maxItemCount: limit },
      )
      .fetchNext();
    return resources.map(({ kind: _kind, ...report }) => withoutSystemProperties(report as StoredReport));
  });
}
