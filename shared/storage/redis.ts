import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createEntraCluster, createEntraRedis, EntraTokenSource } from './redis-entra.js';
import { watchRedis } from './redis-availability.js';
import type { RedisClient } from './redis-client.js';

export type { RedisClient } from './redis-client.js';

export interface RedisConfig {
  url: string;
  /** Prepended to every key, so several apps can share one Redis. */
  keyPrefix: string;
  /** Entra token authentication: on, off, or undefined to decide from the URL and identity. */
  entraAuth?: boolean | undefined;
  /** The user-assigned managed identity to authenticate as. */
  managedIdentityClientId?: string | undefined;
  /** Connect as a cluster client, with the URL's node as the seed (OSS clustering policy). */
  cluster?: boolean | undefined;
}

/**
 * Entra authentication is used when the URL carries no password and an identity is configured:
 * entraAuth true, or a managed identity with a TLS (rediss://) URL. entraAuth false turns it
 * off. A password in the URL (an access key, or a local Redis) always wins.
 */
export function usesEntraAuth(config: RedisConfig): boolean {
  const url = new URL(config.url);
  if (url.password !== '') return false;
  if (config.entraAuth !== undefined) return config.entraAuth;
  return Boolean(config.managedIdentityClientId) && url.protocol === 'rediss:';
}

export interface RedisDependencies {
  /** Defaults to DefaultAzureCredential with the configured managed identity. */
  credential?: Pick<TokenCredential, 'getToken'>;
  tokens?: EntraTokenSource;
  onError?: (error: unknown) => void;
}

/**
 * One connection per process with auto-pipelining (about 100k small ops/s on loopback).
 * Commands fail after one reconnect attempt instead of queueing forever; calls made through
 * `callRedis` (redis-availability.ts) fail at once while the connection is lost, so a dead
 * Redis becomes a quick 503 rather than a held request.
 */
export function createRedis(config: RedisConfig & { cluster?: false | undefined }, dependencies?: RedisDependencies): Redis;
export function createRedis(config: RedisConfig, dependencies?: RedisDependencies): RedisClient;
export function createRedis(config: RedisConfig, dependencies: RedisDependencies = {}): RedisClient {
  const options: RedisOptions = {
    keyPrefix: config.keyPrefix,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  };
  const entra = usesEntraAuth(config);
  if (!entra) return watched(config.cluster ? new Cluster([seedNode(config.url)], clusterOptions(config.url, options)) : new Redis(config.url, options));

  const onError = dependencies.onError ?? ((error: unknown) => console.error(`redis: Entra token: ${error instanceof Error ? error.message : String(error)}`));
  const credential =
    dependencies.credential ?? new DefaultAzureCredential(config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {});
  const tokens = dependencies.tokens ?? new EntraTokenSource(credential, { onError });
  if (config.cluster) return watched(createEntraCluster(seedNode(config.url), clusterOptions(config.url, options), tokens, onError));
  return watched(createEntraRedis(config.url, options, tokens, onError));
}

function seedNode(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

/**
 * The single-node options, for every node of the cluster: password and user from the URL, TLS
 * for rediss:// with the seed's host name as the certificate name (the nodes a cluster
 * announces are addresses; Azure's certificates name the host). The key prefix and
 * auto-pipelining belong to the cluster client, which groups auto-pipelined commands per node.
 */
function clusterOptions(url: string, options: RedisOptions): ClusterOptions {
  const parsed = new URL(url);
  const { keyPrefix, enableAutoPipelining, maxRetriesPerRequest, retryStrategy, ...perNode } = options;
  const tls = parsed.protocol === 'rediss:';
  return {
    keyPrefix,
    enableAutoPipelining,
    maxRedirections: 16,
    // Never shorter than a node's connect timeout, or a slow first connect reads as no slots.
    slotsRefreshTimeout: 3_000,
    clusterRetryStrategy: (attempt) => (retryStrategy ? retryStrategy(attempt) : Math.min(attempt * 200, 2_000)),
    // Azure's nodes announce host names their TLS certificates carry; a lookup would replace them by addresses.
    ...(tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    redisOptions: {
      ...perNode,
      maxRetriesPerRequest,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...(tls ? { tls: { servername: parsed.hostname } } : {}),
    },
  };
}

/** Every client follows its connection from the start, so callRedis can refuse at once while it is lost. */
function watched<C extends RedisClient>(client: C): C {
  watchRedis(client);
  return client;
}
