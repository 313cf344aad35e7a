import { ApiError, enc, getJson } from '../api.js';
import { append, badge, h, pre, table, when } from '../dom.js';
import type { Page } from '../page.js';

export interface FeatureView {
  name: string;
  entity: string;
  features: Array<{ name: string; type: string; description?: string }>;
  ttlSeconds: number;
  online: boolean;
  source?: string;
  description?: string;
  version?: number;
}

export interface Registry {
  entities: Array<{ name: string; joinKeys: Array<{ name: string; type: string }>; description?: string }>;
  featureViews: FeatureView[];
  featureServices: Array<{ name: string; features: string[]; description?: string }>;
}

interface Job {
  id: string;
  kind: string;
  state: string;
  request: Record<string, unknown>;
  progress: { done: number; total: number; unit: string };
  result?: Record<string, unknown>;
  createdAt: string;
  endedAt?: string;
}

interface IngestFile {
  file: string;
  state: string;
  at: string;
  rows?: number;
  partitions?: string[];
}

const ttl = (seconds: number) => (seconds === 0 ? 'forever' : seconds % 86_400 === 0 ? `${seconds / 86_400} d` : seconds % 3_600 === 0 ? `${seconds / 3_600} h` : `${seconds} s`);

/** A job names the views it works on somewhere in its request: `view`, `views` or a feature ref. */
const jobTouches = (job: Job, view: string) => JSON.stringify(job.request).match(new RegExp(`"${view}(:[^"]*)?"`)) !== null;

/** #/features: the registry: feature views, entities and feature services. */
export const featuresPage: Page = async ({ main }) => {
  const [registry, { jobs }] = await Promise.all([getJson<Registry>('features/registry'), getJson<{ jobs: Job[] }>('jobs?limit=100')]);
  const lastMaterialization = (view: string) => jobs.find((job) => job.kind.includes('materialize') && job.state === 'succeeded' && jobTouches(job, view));
  main.replaceChildren();
  append(main, [
    h('h1', {}, 'Feature views'),
    registry.featureViews.length === 0
      ? h('p', {}, 'No feature view is registered yet.')
      : table(
          ['View', 'Entity', 'Features', 'TTL', 'Online', 'Last materialization', 'Source'],
          registry.featureViews.map((view) => [
            h('a', { href: `#/features/${enc(view.name)}`, class: 'view-link' }, view.name),
            view.entity,
            view.features.map((feature) => feature.name).join(', '),
            ttl(view.ttlSeconds),
            view.online ? 'yes' : 'no',
            when(lastMaterialization(view.name)?.endedAt) || 'never',
            view.source ?? '',
          ]),
          { id: 'views' },
        ),
    h('h2', {}, 'Entities'),
    table(['Entity', 'Join keys', 'Description'], registry.entities.map((entity) => [entity.name, entity.joinKeys.map((key) => `${key.name} (${key.type})`).join(', '), entity.description ?? '']), { id: 'entities' }),
    h('h2', {}, 'Feature services'),
    table(['Service', 'Features', 'Description'], registry.featureServices.map((service) => [service.name, service.features.join(', '), service.description ?? '']), { id: 'services' }),
  ]);
};

/** #/features/<view>: its features, the files ingested into it, and the jobs that worked on it. */
export const featureViewPage: Page = async ({ main }, [name = '']) => {
  const [registry, { jobs }, ingest] = await Promise.all([
    getJson<Registry>('features/registry'),
    getJson<{ jobs: Job[] }>('jobs?limit=100'),
    getJson<{ files: IngestFile[] }>(`features/ingest/${enc(name)}`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return { files: [] };
      throw error;
    }),
  ]);
  const view = registry.featureViews.find((candidate) => candidate.name === name);
  if (!view) throw new Error(`no feature view "${name}" is registered`);
  const related = jobs.filter((job) => jobTouches(job, name));
  main.replaceChildren();
  append(main, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/features' }, 'Feature views'), ' / ', name),
    h('h1', {}, `Feature view ${name}`),
    h('p', {}, `Entity ${view.entity} · TTL ${ttl(view.ttlSeconds)} · ${view.online ? 'served online' : 'offline only'}`, view.description ? ` · ${view.description}` : ''),
    table(['Feature', 'Type', 'Description'], view.features.map((feature) => [feature.name, feature.type, feature.description ?? '']), { id: 'features' }),
    h('h2', {}, 'Materializations and other jobs'),
    related.length === 0
      ? h('p', {}, 'No job has worked on this view.')
      : table(
          ['Job', 'Kind', 'State', 'Progress', 'Created', 'Ended', 'Result'],
          related.map((job) => [job.id, job.kind, badge(job.state), `${job.progress.done}/${job.progress.total} ${job.progress.unit}`, when(job.createdAt), when(job.endedAt), job.result ? pre(job.result) : '']),
          { id: 'jobs' },
        ),
    h('h2', {}, 'Ingested files'),
    ingest.files.length === 0
      ? h('p', {}, 'No file was ingested into this view.')
      : table(['File', 'State', 'Rows', 'Partitions', 'At'], ingest.files.map((file) => [file.file, badge(file.state), file.rows ?? '', (file.partitions ?? []).length, when(file.at)]), { id: 'ingest' }),
  ]);
};
