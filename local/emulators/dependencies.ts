import { join } from 'node:path';
import { settingsSchema } from '../../shared/platform/settings.js';
import { startAzurite } from './azurite.js';
import type { ChildService } from './child-service.js';
import { cosmosEmulatorKey, startCosmos } from './cosmos.js';
import { ensureRedis } from './redis.js';

export interface DependencyLine {
  name: 'blob' | 'cosmos' | 'redis';
  how: string;
  url: string;
}

export interface Dependencies {
  /** Settings the app must see (connection strings of the emulators started here). */
  env: Record<string, string>;
  /** The embedded Azurite's connection string, when one was started (its account key is Azurite's public one). */
  blobConnectionString?: string;
  lines: DependencyLine[];
  stop(): Promise<void>;
}

/**
 * Brings up what the settings do not point elsewhere: Azurite for blob, cosmosdb-server for
 * Cosmos DB, and a redis-server when none answers at REDIS_URL (or the app's default for it).
 */
export async function ensureDependencies(
  settings: Readonly<Record<string, string | undefined>>,
  options: { dataDir: string; inMemory?: boolean; blobPort?: number },
): Promise<Dependencies> {
  const env: Record<string, string> = {};
  const lines: DependencyLine[] = [];
  const started: ChildService[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((service) => service.stop()));
  };
  try {
    const storage = settings.AzureWebJobsStorage;
    if ((!storage || storage === 'UseDevelopmentStorage=true') && !settings.AzureWebJobsStorage__blobServiceUri) {
      const azurite = await startAzurite({ location: join(options.dataDir, 'azurite'), inMemory: options.inMemory, port: options.blobPort });
      started.push(azurite);
      env.AzureWebJobsStorage = azurite.connectionString;
      lines.push({ name: 'blob', how: `azurite (embedded${options.inMemory ? ', in memory' : `, data in ${join(options.dataDir, 'azurite')}`})`, url: azurite.blobEndpoint });
    } else {
      lines.push({ name: 'blob', how: 'configured', url: storage ? describeConnectionString(storage) : String(settings.AzureWebJobsStorage__blobServiceUri) });
    }

    if (!settings.COSMOS_ENDPOINT) {
      const journalFile = join(options.dataDir, 'cosmos', 'journal.jsonl');
      const cosmos = await startCosmos(options.inMemory ? {} : { journalFile });
      started.push(cosmos);
      env.COSMOS_ENDPOINT = cosmos.endpoint;
      env.COSMOS_KEY = cosmosEmulatorKey;
      lines.push({ name: 'cosmos', how: `cosmosdb-server (embedded, ${options.inMemory ? 'in memory' : `writes journaled to ${journalFile}`})`, url: cosmos.endpoint });
    } else {
      lines.push({ name: 'cosmos', how: 'configured', url: settings.COSMOS_ENDPOINT });
    }

    const redisUrl = settings.REDIS_URL || settingsSchema.shape.REDIS_URL.parse(undefined);
    const redis = await ensureRedis(redisUrl);
    if (redis.started) started.push(redis.started);
    lines.push({ name: 'redis', how: redis.started ? 'redis-server (started here, nothing persisted)' : 'running', url: redactUrl(redisUrl) });
    return { env, lines, stop, ...(env.AzureWebJobsStorage ? { blobConnectionString: env.AzureWebJobsStorage } : {}) };
  } catch (error) {
    await stop();
    throw error;
  }
}

function describeConnectionString(connectionString: string): string {
  return /BlobEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? /AccountName=([^;]+)/.exec(connectionString)?.[1] ?? 'connection string';
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
