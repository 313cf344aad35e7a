import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDependencies, type Dependencies } from '../../local/emulators/dependencies.js';
import { forgetRedisPrefix } from '../../local/redis-prefix.js';
import { settingsSchema } from '../../shared/platform/settings.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection settings of the emulators this run started once for every test file. */
    arborEnv: Record<string, string>;
    /** This run's part of every host's Cosmos database and Redis prefix (`test-<run><random>`). */
    arborRunId: string;
  }
}

let dependencies: Dependencies | undefined;
let redisUrl = '';
const runId = randomBytes(3).toString('hex');

/** Real Azurite and cosmosdb-server, started once per run; Redis at REDIS_URL. */
export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(join(process.cwd(), 'dist', 'local', 'main.js'))) {
    throw new Error('dist/ is missing: run the tests with `npm test` (it builds first)');
  }
  redisUrl = process.env.REDIS_URL || settingsSchema.shape.REDIS_URL.parse(undefined);
  const settings: Record<string, string | undefined> = {
    REDIS_URL: redisUrl,
    // Tests use their own emulators unless told otherwise, never the developer's configured ones.
    AzureWebJobsStorage: process.env.ARBOR_TEST_STORAGE,
    COSMOS_ENDPOINT: process.env.ARBOR_TEST_COSMOS_ENDPOINT,
  };
  dependencies = await ensureDependencies(settings, { dataDir: join(process.cwd(), '.arbor', 'test'), inMemory: true });
  project.provide('arborEnv', {
    ...dependencies.env,
    REDIS_URL: redisUrl,
    ...(process.env.ARBOR_TEST_COSMOS_KEY ? { COSMOS_KEY: process.env.ARBOR_TEST_COSMOS_KEY } : {}),
  });
  project.provide('arborRunId', runId);
}

/**
 * The emulators go with the run; Redis is the machine's and outlives it, so the keys every host
 * of this run wrote go too (a restart test needs them between its hosts, so not at each stop).
 * Only this run's: another suite may be running against the same Redis.
 */
export async function teardown(): Promise<void> {
  await dependencies?.stop();
  if (redisUrl) await forgetRedisPrefix(redisUrl, `test-${runId}`);
}
