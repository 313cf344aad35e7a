import { createRequire } from 'node:module';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { Cluster, Redis, type AbstractConnector, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

type ErrorEmitter = Parameters<AbstractConnector['connect']>[0];
type NetStream = Awaited<ReturnType<AbstractConnector['connect']>>;

/**
 * Microsoft Entra authentication for Azure Managed Redis: the username is the identity's object
 * id, the password an access token for this scope. Tokens expire (managed identity tokens live
 * about a day), so the connection is re-authenticated with a fresh token before that, and every
 * reconnect authenticates with a token that is still valid.
 */
export const REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

export interface EntraToken {
  /** The `oid` claim: Azure Managed Redis wants the principal's object id as the user name. */
  username: string;
  password: string;
  expiresOnTimestamp: number;
  /** When to fetch the next one. */
  refreshAt: number;
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref(); // never keeps the process alive on its own
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface EntraTokenOptions {
  /** Refresh at least this long before expiry (default 5 minutes). */
  refreshMarginMs?: number;
  /** Delays between attempts after a failed refresh; the last repeats (default 1 s ... 60 s). */
  retryDelaysMs?: readonly number[];
  timers?: Timers;
  onError?: (error: unknown) => void;
}

/** The `oid` claim of a JWT access token, without verifying it (Redis does that). */
export function objectIdOfToken(token: string): string {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the Redis access token is not a JWT');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new Error('the Redis access token has an unreadable payload');
  }
  const oid = (claims as { oid?: unknown }).oid;
  if (typeof oid !== 'string' || oid === '') throw new Error('the Redis access token has no oid claim');
  return oid;
}

/**
 * Holds the current token, fetches one when asked and none is valid, and (once started) keeps it
 * fresh: each token schedules the next fetch at min(refreshAfter, expiry - margin); a failed fetch
 * is retried with back-off. Each new token is handed to the listener (which re-AUTHs Redis).
 */
export class EntraTokenSource {
  private token: EntraToken | undefined;
  private pending: Promise<EntraToken> | undefined;
  private timer: unknown;
  private failures = 0;
  private listener: ((token: EntraToken) => Promise<void> | void) | undefined;
  private stopped = false;
  private readonly margin: number;
  private readonly retryDelays: readonly number[];
  private readonly timers: Timers;

  constructor(
    private readonly credential: Pick<TokenCredential, 'getToken'>,
    private readonly options: EntraTokenOptions = {},
  ) {
    this.margin = options.refreshMarginMs ?? 5 * 60_000;
    this.retryDelays = options.retryDelaysMs?.length ? options.retryDelaysMs : [1_000, 5_000, 15_000, 30_000, 60_000];
    this.timers = options.timers ?? realTimers;
  }

  /** A token valid for at least the margin: the cached one, or a new one (one fetch at a time). */
  async current(): Promise<EntraToken> {
    const now = this.timers.now();
    if (this.token && this.token.expiresOnTimestamp - this.margin > now) return this.token;
    return this.fetch();
  }

  /** Starts refreshing in the background; `listener` gets every token fetched from now on. */
  start(listener: (token: EntraToken) => Promise<void> | void): void {
    this.listener = listener;
    this.stopped = false;
    this.current().then(
      (token) => this.schedule(token.refreshAt - this.timers.now()),
      (error: unknown) => this.retryAfter(error),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fetch(): Promise<EntraToken> {
    this.pending ??= (async () => {
      try {
        const access = await this.credential.getToken(REDIS_ENTRA_SCOPE);
        if (!access) throw new Error(`the credential returned no token for ${REDIS_ENTRA_SCOPE}`);
        const token = this.toEntraToken(access);
        this.token = token;
        return token;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  private toEntraToken(access: AccessToken): EntraToken {
    const now = this.timers.now();
    const lifetime = access.expiresOnTimestamp - now;
    // Short-lived tokens (shorter than twice the margin) are refreshed at half their life.
    let refreshAt = lifetime > 2 * this.margin ? access.expiresOnTimestamp - this.margin : now + lifetime / 2;
    if (access.refreshAfterTimestamp !== undefined) refreshAt = Math.min(refreshAt, access.refreshAfterTimestamp);
    return {
      username: objectIdOfToken(access.token),
      password: access.token,
      expiresOnTimestamp: access.expiresOnTimestamp,
      refreshAt,
    };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    // At least a second apart; at most what a Node timer can hold (24.8 days).
    const delay = Math.min(Math.max(delayMs, 1_000), 2_147_483_647);
    this.timer = this.timers.setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      const token = await this.fetch();
      await this.listener?.(token);
      this.failures = 0;
      this.schedule(token.refreshAt - this.timers.now());
    } catch (error) {
      this.retryAfter(error);
    }
  }

  private retryAfter(error: unknown): void {
    this.options.onError?.(error);
    const delay = this.retryDelays[Math.min(this.failures, this.retryDelays.length - 1)] as number;
    this.failures += 1;
    this.schedule(delay);
  }
}

/** The shape of ioredis's StandaloneConnector: an AbstractConnector whose connect is concrete. */
declare abstract class ConcreteConnector extends (Object as unknown as abstract new (disconnectTimeout: number) => AbstractConnector) {
  options: RedisOptions;
  connect(emit: ErrorEmitter): Promise<NetStream>;
}
type StandaloneConnectorClass = new (options: RedisOptions) => ConcreteConnector;

/** ioredis's own TCP/TLS connector (not re-exported by its index, but a stable file). */
function standaloneConnector(): StandaloneConnectorClass {
  const require = createRequire(import.meta.url);
  const loaded = require('ioredis/built/connectors/StandaloneConnector.js') as { default: StandaloneConnectorClass };
  return loaded.default;
}

const tokenWaitMs = 15_000;

/** Puts a token where the connection's next handshake (and a reconnect's) reads its AUTH. */
function applyToken(connection: Redis, token: EntraToken): void {
  connection.options.username = token.username;
  connection.options.password = token.password;
  if (connection.condition) connection.condition.auth = [token.username, token.password];
}

/**
 * ioredis's TCP/TLS connector that takes a valid token before each (re)connect and hands it to
 * `useToken` with the connection's options, so the handshake's AUTH uses it. A connect the
 * client gave up on while the token was awaited is refused, as ioredis refuses a closed one.
 */
function tokenTakingConnector(tokens: EntraTokenSource, useToken: (options: RedisOptions, token: EntraToken) => void, onError: (error: unknown) => void): NonNullable<RedisOptions['Connector']> {
  const Standalone = standaloneConnector();
  class EntraConnector extends Standalone {
    private generation = 0;

    override connect(emit: ErrorEmitter): Promise<NetStream> {
      const generation = this.generation;
      return (async () => {
        try {
          useToken(this.options, await withTimeout(tokens.current(), tokenWaitMs));
        } catch (error) {
          onError(error);
        }
        if (generation !== this.generation) throw new Error('Connection is closed.');
        return super.connect(emit);
      })();
    }

    override disconnect(): void {
      this.generation += 1;
      super.disconnect();
    }
  }
  // ioredis constructs the connector with the client's own options object.
  return EntraConnector as unknown as NonNullable<RedisOptions['Connector']>;
}

/**
 * A Redis client that authenticates with Entra tokens. Before each (re)connect it takes a valid
 * token, so the AUTH of the handshake uses it; the token source re-AUTHs the live connection with
 * each refreshed token. If no token can be had at connect time the connection opens without AUTH
 * (commands fail with NOAUTH, a quick error) and the first token that arrives authenticates it.
 */
export function createEntraRedis(url: string, options: RedisOptions, tokens: EntraTokenSource, onError: (error: unknown) => void): Redis {
  let client: Redis | undefined;
  const Connector = tokenTakingConnector(tokens, (_options, token) => client && applyToken(client, token), onError);
  client = new Redis(url, { ...options, Connector });
  const redis = client;
  tokens.start(async (token) => {
    applyToken(redis, token);
    if (redis.status === 'ready') await redis.auth(token.username, token.password);
  });
  redis.once('end', () => tokens.stop());
  return redis;
}

/**
 * The cluster form of createEntraRedis (OSS clustering policy): the cluster client makes one
 * connection per node as it learns the topology, each with the per-node options. Every node
 * connection takes a valid token before each (re)connect, as above, and each refreshed token
 * re-AUTHs every live node connection.
 */
export function createEntraCluster(seed: ClusterNode, options: ClusterOptions, tokens: EntraTokenSource, onError: (error: unknown) => void): Cluster {
  // A node connection's options object -> the connection: its connector sees only the options.
  const nodesByOptions = new WeakMap<RedisOptions, Redis>();
  let latest: EntraToken | undefined;
  const Connector = tokenTakingConnector(
    tokens,
    (nodeOptions, token) => {
      latest = token;
      const node = nodesByOptions.get(nodeOptions);
      if (node) applyToken(node, token);
    },
    onError,
  );

  const cluster = new Cluster([seed], { ...options, redisOptions: { ...options.redisOptions, Connector } });
  // Node connections are made lazily (connected on first use), so this runs before their handshake.
  cluster.on('+node', (node: Redis) => {
    nodesByOptions.set(node.options, node);
    if (latest) applyToken(node, latest);
  });
  tokens.start(async (token) => {
    latest = token;
    await Promise.all(
      cluster.nodes().map(async (node) => {
        applyToken(node, token);
        if (node.status === 'ready') await node.auth(token.username, token.password);
      }),
    );
  });
  cluster.once('end', () => tokens.stop());
  return cluster;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no Redis access token within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
