import { performance } from 'node:perf_hooks';
import { InferenceSession } from 'onnxruntime-node';
import type { Services } from '../platform/services.js';
import { readArtifact } from './artifacts.js';
import { modelLoadDuration, sessionsLoaded } from './metrics.js';
import type { ModelVersion } from './registry.js';

/**
 * Inference sessions, one per (model, version) per instance: a version's file never changes,
 * so a loaded session stays right until it is evicted. Concurrent first requests share one
 * load. At most `maxSessions` are kept; the least recently used is released beyond that.
 */
export interface LoadedModel {
  session: InferenceSession;
  /** How long the cold load took (blob read, SHA-256 check, session creation), milliseconds. */
  loadMs: number;
  bytes: number;
  loadedAt: Date;
}

export const maxSessions = 32;
const sessions = new Map<string, Promise<LoadedModel>>();

const keyOf = (services: Services, version: Pick<ModelVersion, 'model' | 'version'>) => `${services.settings.COSMOS_DATABASE}/${version.model}/${version.version}`;

/** The version's session, and whether this call loaded it (a cold start). */
export async function sessionFor(services: Services, version: ModelVersion): Promise<{ loaded: LoadedModel; cold: boolean }> {
  const key = keyOf(services, version);
  const existing = sessions.get(key);
  if (existing) {
    // Most recently used last: Map keeps insertion order.
    sessions.delete(key);
    sessions.set(key, existing);
    return { loaded: await existing, cold: false };
  }
  const pending = (async (): Promise<LoadedModel> => {
    const started = performance.now();
    const bytes = await readArtifact(services, version.artifact);
    const session = await InferenceSession.create(bytes);
    const loadMs = performance.now() - started;
    modelLoadDuration.observe({ model: version.model }, loadMs / 1000);
    return { session, loadMs, bytes: bytes.length, loadedAt: new Date() };
  })();
  sessions.set(key, pending);
  pending.catch(() => sessions.delete(key));
  evictBeyond(maxSessions);
  sessionsLoaded.set(sessions.size);
  return { loaded: await pending, cold: true };
}

/** A request that took an evicted session before its eviction may still be running on it. */
const releaseGraceMs = 30_000;

function evictBeyond(limit: number): void {
  while (sessions.size > limit) {
    const [oldest, pending] = sessions.entries().next().value as [string, Promise<LoadedModel>];
    sessions.delete(oldest);
    setTimeout(() => void pending.then((model) => model.session.release()).catch(() => undefined), releaseGraceMs).unref();
  }
}

/** Releases every session (tests, shutdown). */
export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  sessionsLoaded.set(0);
  await Promise.allSettled(all.map(async (pending) => (await pending).session.release()));
}
