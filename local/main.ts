/**
 * `npm start`: brings up the dependencies the settings do not point elsewhere, then serves the
 * Function App on http://127.0.0.1:7071/api/... exactly as the Azure host would run it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { blobConnectionFile } from './blob-connection.js';
import { findAppRoot, mergeSettingSources, parseSettings, readLocalSettings } from '../shared/platform/settings.js';
import { ensureDependencies } from './emulators/dependencies.js';
import { startGrpcServer, type GrpcServer } from './grpc/server.js';
import { startLocalHost } from './host.js';
import { consoleLogger } from './log.js';
import { serveInstances } from './scale-out.js';
import { loadHostSettings } from './settings.js';
import { stopWithParent } from './stop-with-parent.js';

/** `--instances N` (or `--instances=N`) is ARBOR_INSTANCES, checked with the other settings. */
function instancesArgument(args: readonly string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '--instances' || arg.startsWith('--instances='));
  if (at < 0) return undefined;
  const arg = args[at] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[at + 1] ?? '');
}

async function main(): Promise<void> {
  const root = findAppRoot();
  const instances = instancesArgument(process.argv.slice(2));
  if (instances !== undefined) process.env.ARBOR_INSTANCES = instances;
  // The host's own settings first: a bad one stops the start before any emulator runs.
  const { host: settings, raw } = loadHostSettings(root);
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  const log = consoleLogger(settings.ARBOR_LOG_LEVEL);

  const instanceIndex = settings.ARBOR_INSTANCE_INDEX;
  if (instanceIndex === undefined) console.log('Arbor local host: starting dependencies');
  const dependencies = await ensureDependencies(raw, {
    dataDir: resolve(root, settings.ARBOR_DATA_DIR),
    inMemory: settings.ARBOR_IN_MEMORY,
    blobPort: settings.ARBOR_BLOB_PORT,
  });
  if (instanceIndex === undefined) for (const line of dependencies.lines) console.log(`  ${line.name.padEnd(7)} ${line.url}  (${line.how})`);
  if (dependencies.blobConnectionString) {
    // For tools (Storage Explorer, `npm run blob`) while the host runs.
    const file = blobConnectionFile(resolve(root, settings.ARBOR_DATA_DIR));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, dependencies.blobConnectionString);
    console.log(`  blob connection string (also in ${file}):\n    ${dependencies.blobConnectionString}`);
  }
  // The app reads its settings from the environment, as it does in Azure.
  Object.assign(process.env, dependencies.env);
  // The app itself registers every function whatever its settings (each answers 503 naming a
  // bad one); `npm start` stops here instead, naming each, which is what a developer wants.
  // Parsed here, not loadSettings(): that caches, and the host adds ARBOR_SELF_URL once it listens.
  try {
    parseSettings(mergeSettingSources(process.env, readLocalSettings(join(root, 'local.settings.json'))));
  } catch (error) {
    await dependencies.stop();
    throw error;
  }

  if (settings.ARBOR_INSTANCES > 1) {
    const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    await serveInstances({ settings, env: { ...env, ...dependencies.env }, stopDependencies: () => dependencies.stop() });
    return;
  }

  let host;
  try {
    host = await startLocalHost({
      // ARBOR_APP_ENTRY serves another app (the tests' fixture app); the default is package.json main.
      appEntry: settings.ARBOR_APP_ENTRY ? resolve(root, settings.ARBOR_APP_ENTRY) : join(root, packageJson.main),
      port: settings.PORT,
      settings: { ...raw, ...dependencies.env },
      log,
      functionKey: settings.ARBOR_FUNCTION_KEY,
      systemKey: settings.ARBOR_SYSTEM_KEY,
      appName: settings.WEBSITE_SITE_NAME,
      blobPollIntervalMs: settings.ARBOR_BLOB_POLL_MS,
      blobMaxAttempts: settings.ARBOR_BLOB_MAX_ATTEMPTS,
      blobRetryDelayMs: settings.ARBOR_BLOB_RETRY_MS,
      taskHub: settings.ARBOR_TASK_HUB,
      maxConcurrentActivities: settings.ARBOR_DURABLE_MAX_ACTIVITIES,
      ...(settings.ARBOR_DURABLE_OWNER_URL ? { durableOwnerUrl: settings.ARBOR_DURABLE_OWNER_URL } : {}),
    });
  } catch (error) {
    await dependencies.stop();
    throw error;
  }

  // Behind a front door the first instance lists them; the others would only repeat it.
  if (!instanceIndex) console.log(`Functions (${host.functions.length}):`);
  for (const fn of instanceIndex ? [] : host.functions) {
    const where = fn.route !== undefined ? `${(fn.methods ?? ['*']).join(',')} ${host.url}/api/${fn.route}` : fn.schedule ?? fn.path ?? '';
    console.log(`  ${fn.name.padEnd(22)} ${fn.trigger.padEnd(13)} ${where}${fn.disabled ? '  (disabled)' : ''}`);
  }
  let grpc: GrpcServer;
  try {
    grpc = await startGrpcServer({ host: '127.0.0.1', port: settings.ARBOR_GRPC_PORT, functionKey: settings.ARBOR_FUNCTION_KEY, durableClientInput: host.durableClientInput, corsOrigins: settings.ARBOR_GRPC_CORS_ORIGINS });
  } catch (error) {
    await host.stop();
    await dependencies.stop();
    throw error;
  }
  console.log(`gRPC, gRPC-Web and Connect: ${grpc.url} (HTTP/2 and HTTP/1.1 on one port; health and reflection included)`);
  // An instance's line is not "Arbor is up": that one names the front door, where callers go.
  console.log(instanceIndex === undefined ? `Arbor is up: ${host.url}/api/health` : `Arbor instance ${instanceIndex} is up: ${host.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    await grpc.stop();
    // The host first, while the emulators still answer, so in-flight work records what it did.
    await stopWithin(host.stop(), hostStopBoundMs, () => console.log(`  host still busy after ${hostStopBoundMs} ms: unfinished work resumes at the next start`));
    await dependencies.stop();
    console.log('Arbor stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  stopWithParent(settings.ARBOR_PARENT_PID, () => void shutdown('parent process exited'));
}

/** How long in-flight invocations get to finish or checkpoint when the host is stopped. */
const hostStopBoundMs = 5_000;

async function stopWithin(stopping: Promise<void>, boundMs: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), boundMs)));
  const outcome = await Promise.race([stopping.then(() => 'stopped' as const, () => 'stopped' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') onTimeout();
}

main().catch((error: unknown) => {
  console.error(`Arbor local host failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
