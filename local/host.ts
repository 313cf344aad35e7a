import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { localHostStreamsHttpVariable } from '../shared/platform/http-streaming.js';
import { BlobWatcher, buildBlobFunctions } from './blobs/blob-watcher.js';
import { buildHttpRoutes, createHttpHandler, sendJson, hostError, type HostEndpoint } from './http/server.js';
import { isAuthorized, presentedKey, systemKeyFrom } from './http/function-keys.js';
import { buildTimers, TimerScheduler } from './timers/timer-scheduler.js';
import { durableClientData, durableEndpoints } from './durable/client-endpoints.js';
import { DurableBackend } from './durable/durable-backend.js';
import { InstanceLog } from './durable/instance-log.js';
import { CoreApi, type CapturedFunction } from './worker/core-api.js';
import { installCoreModule } from './worker/install-core-module.js';
import type { ExtraInputResolver, InvocationLogger } from './worker/invoke.js';
import { triggerOf } from './worker/rpc.js';

export interface LocalHostOptions {
  /** The app's entry module: package.json "main" (dist/functions/index.js). */
  appEntry: string;
  host?: string;
  port: number;
  /** Settings used to resolve %NAME% in bindings and connection names (env + local.settings.json). */
  settings: Readonly<Record<string, string | undefined>>;
  log: InvocationLogger;
  /** When set, function and admin routes need it, as Azure's function keys. */
  functionKey?: string;
  /** The durable API's key; unset, a random one for this process. */
  systemKey?: string;
  /** Names the app's blob receipts and poison records (Azure: the site name). */
  appName: string;
  blobPollIntervalMs: number;
  blobMaxAttempts: number;
  blobRetryDelayMs: number;
  taskHub: string;
  maxConcurrentActivities: number;
  /**
   * Another instance's address when that one owns the task hub (the front door's instances
   * after the first): this host then runs no durable backend and no timers, and its durable
   * client calls the owner's API, so orchestrations and timers run exactly once (docs/scaling.md).
   */
  durableOwnerUrl?: string;
}

export interface FunctionDescription {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
  path?: string;
  servedBy: 'http' | 'timer' | 'blob' | 'durable' | 'none';
  /** Turned off by the app setting `AzureWebJobs.<name>.Disabled`, as in Azure. */
  disabled?: true;
}

/**
 * Azure's switch for one function: `AzureWebJobs.<name>.Disabled` = true (or 1); Linux plans
 * also take `AzureWebJobs_<name>_Disabled`, since '.' cannot appear in their variable names.
 * A disabled trigger is not served, as in Azure; orchestrations and activities always are.
 */
export function isDisabled(settings: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const value = settings[`AzureWebJobs.${name}.Disabled`] ?? settings[`AzureWebJobs_${name}_Disabled`];
  return value !== undefined && ['true', '1'].includes(value.toLowerCase());
}

export interface LocalHost {
  url: string;
  functions: FunctionDescription[];
  /** Absent on an instance that is not the task hub's owner. */
  durable?: DurableBackend;
  /** What a `durableClient` input binding receives on this host (JSON), for servers beside it (the gRPC server). */
  durableClientInput: string;
  stop(): Promise<void>;
}

const servedTriggers: Record<string, FunctionDescription['servedBy']> = {
  httpTrigger: 'http',
  timerTrigger: 'timer',
  blobTrigger: 'blob',
  orchestrationTrigger: 'durable',
  activityTrigger: 'durable',
};

export function describeFunction(fn: CapturedFunction): FunctionDescription {
  const { binding } = triggerOf(fn.metadata);
  const trigger = String(binding.type);
  const description: FunctionDescription = { name: fn.metadata.name, trigger, servedBy: servedTriggers[trigger] ?? 'none' };
  if (trigger === 'httpTrigger') {
    description.route = typeof binding.route === 'string' ? binding.route : fn.metadata.name;
    description.methods = Array.isArray(binding.methods) ? (binding.methods as string[]) : undefined;
    description.authLevel = typeof binding.authLevel === 'string' ? binding.authLevel : 'function';
  }
  if (typeof binding.schedule === 'string') description.schedule = binding.schedule;
  if (typeof binding.path === 'string') description.path = binding.path;
  return description;
}

function connectionFactory(settings: LocalHostOptions['settings']): (name: string) => BlobServiceClient {
  const clients = new Map<string, BlobServiceClient>();
  return (name) => {
    let client = clients.get(name);
    if (!client) {
      const connectionString = settings[name];
      if (!connectionString) throw new Error(`the connection setting "${name}" is not set`);
      client = BlobServiceClient.fromConnectionString(connectionString);
      clients.set(name, client);
    }
    return client;
  };
}

/**
 * Arbor's local host: plays the Functions Node worker's part for one app. It provides
 * @azure/functions-core, loads the app so every registration is captured, and serves them all.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const systemKey = systemKeyFrom(options.systemKey);
  // The app reads its own address from its settings when it loads, so the host listens first
  // (answering 503 until the app is served) and tells the app where it is, as Azure does.
  let serve: RequestListener = (_request, response) => sendJson(response, 503, hostError('starting', 'the host is starting; try again'));
  const server: Server = createServer((request, response) => serve(request, response));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host}:${port}`;
  process.env.WEBSITE_HOSTNAME = `${host}:${port}`;
  if (!options.settings.ARBOR_SELF_URL) process.env.ARBOR_SELF_URL = baseUrl;
  try {
    return await serveApp(options, server, baseUrl, systemKey, (listener) => (serve = listener));
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
}

async function serveApp(
  options: LocalHostOptions,
  server: Server,
  baseUrl: string,
  systemKey: string,
  setListener: (listener: RequestListener) => void,
): Promise<LocalHost> {
  const api = new CoreApi((level, message) => options.log('host', '-', level, message));
  installCoreModule(api);
  // This host writes HTTP answers itself, streamed ones chunk by chunk (local/http/http-result.ts).
  process.env[localHostStreamsHttpVariable] = 'true';
  await import(pathToFileURL(options.appEntry).href);
  const captured = [...api.functions.values()];
  const enabled = captured.filter((fn) => !isDisabled(options.settings, fn.metadata.name));
  const functions = captured.map((fn) => ({ ...describeFunction(fn), ...(enabled.includes(fn) ? {} : { disabled: true as const }) }));
  const { functionKey, taskHub } = options;

  const unsupported = functions.filter((f) => f.servedBy === 'none');
  for (const f of unsupported) options.log('host', '-', 'warning', `function "${f.name}" has a ${f.trigger}, which this host does not serve yet`);

  await api.runHooks('appStart', { hookData: {}, functionAppDirectory: process.cwd() });

  const adminFunctions: HostEndpoint = async (request, response, url) => {
    if (url.pathname !== '/admin/functions' || request.method !== 'GET') return false;
    if (!isAuthorized('admin', functionKey, presentedKey(request.headers, url))) {
      sendJson(response, 401, hostError('unauthorized', 'the admin API needs the key'));
      return true;
    }
    sendJson(response, 200, { functions, nextTimerRuns: timers.nextRuns(), blobPolls: blobs.passes });
    return true;
  };

  // The durable client talks HTTP to whichever instance owns the task hub: this one, or the owner.
  const durableBaseUrl = options.durableOwnerUrl ?? baseUrl;
  const clientInput =
    (raisedBy?: string): ExtraInputResolver =>
    (binding) =>
      binding.type === 'durableClient' || binding.type === 'orchestrationClient' ? durableClientData(durableBaseUrl, taskHub, systemKey, raisedBy) : undefined;
  const resolveExtraInput = clientInput();

  const connectionFor = connectionFactory(options.settings);
  const owner = options.durableOwnerUrl === undefined;
  const durable = owner
    ? new DurableBackend({
        api,
        functions: captured,
        store: new InstanceLog(connectionFor('AzureWebJobsStorage').getContainerClient(`durable-${taskHub.toLowerCase()}`)),
        log: options.log,
        maxConcurrentActivities: options.maxConcurrentActivities,
        resolveExtraInput,
        activityExtraInput: clientInput,
      })
    : undefined;

  // Timers fire on the owner only: Azure holds a singleton lease per timer function for the same end.
  const timers = new TimerScheduler(api, owner ? buildTimers(enabled, options.settings) : [], options.log, resolveExtraInput);
  const blobs = new BlobWatcher(
    api,
    buildBlobFunctions(enabled, connectionFor),
    {
      pollIntervalMs: options.blobPollIntervalMs,
      maxAttempts: options.blobMaxAttempts,
      retryDelayMs: options.blobRetryDelayMs,
      concurrency: 4,
      appName: options.appName,
    },
    options.log,
    resolveExtraInput,
  );

  setListener(
    createHttpHandler({
      api,
      routes: buildHttpRoutes(enabled),
      functionKey,
      log: options.log,
      resolveExtraInput,
      hostEndpoints: durable ? [durableEndpoints(durable, systemKey), adminFunctions] : [adminFunctions],
    }),
  );
  await durable?.start();
  timers.start();
  await blobs.start();

  let stopping: Promise<void> | undefined;
  return {
    url: baseUrl,
    functions,
    ...(durable ? { durable } : {}),
    durableClientInput: durableClientData(durableBaseUrl, taskHub, systemKey).string as string,
    stop() {
      stopping ??= (async () => {
        await timers.stop();
        await blobs.stop();
        await durable?.stop();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await api.runHooks('appTerminate', { hookData: {} });
      })();
      return stopping;
    },
  };
}
