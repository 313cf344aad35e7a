import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { Redis, type RedisOptions } from 'ioredis';
import type { Settings } from '../platform/settings.js';
import { createEntraRedis, EntraTokenSource } from './redis-entra.js';

type RedisSettings = Pick<Settings, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'REDIS_ENTRA_AUTH' | 'AZURE_CLIENT_ID'>;

/**
 * Entra authentication is used when the URL carries no password and an identity is configured:
 * REDIS_ENTRA_AUTH=true, or AZURE_CLIENT_ID with a TLS (rediss://) URL. REDIS_ENTRA_AUTH=false
 * turns it off. A password in the URL (an access key, or a local Redis) always wins.
 */
export function usesEntraAuth(settings: RedisSettings): boolean {
  const url = new URL(settings.REDIS_URL);
  if (url.password !== '') return false;
  if (settings.REDIS_ENTRA_AUTH === 'false') return false;
  if (settings.REDIS_ENTRA_AUTH === 'true') return true;
  return Boolean(settings.AZURE_CLIENT_ID) && url.protocol === 'rediss:';
}

export interface RedisDependencies {
  /** Defaults to DefaultAzureCredential with the managed identity named by AZURE_CLIENT_ID. */
  credential?: Pick<TokenCredential, 'getToken'>;
  tokens?: EntraTokenSource;
  onError?: (error: unknown) => void;
}

/**
 * One connection per process with auto-pipelining (about 100k small ops/s on loopback).
 * Commands fail after one reconnect attempt instead of queueing forever, so a dead Redis
 * becomes a quick 503 rather than a hung request.
 */
export function createRedis(settings: RedisSettings, dependencies: RedisDependencies = {}): Redis {
  const options: RedisOptions = {
    keyPrefix: settings.REDIS_KEY_PREFIX,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  };
  if (!usesEntraAuth(settings)) return new Redis(settings.REDIS_URL, options);

  const onError = dependencies.onError ?? ((error: unknown) => console.error(`redis: Entra token: ${error instanceof Error ? error.message : String(error)}`));
  const credential =
    dependencies.credential ?? new DefaultAzureCredential(settings.AZURE_CLIENT_ID ? { managedIdentityClientId: settings.AZURE_CLIENT_ID } : {});
  const tokens = dependencies.tokens ?? new EntraTokenSource(credential, { onError });
  return createEntraRedis(settings.REDIS_URL, options, tokens, onError);
}
