import { CosmosClient, type Container, type Database, type FeedOptions, type PatchRequestBody, type SqlQuerySpec } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { z } from 'zod';
import { callDependency } from './dependency.js';
import { recordStorageOperation, type StorageOperation } from './operation-observers.js';

export interface ContainerDefinition {
  id: string;
  partitionKey: string;
}

export interface CosmosStore {
  client: CosmosClient;
  database: Database;
  /** The container, created on first use when Arbor holds a key (infra/ creates it in Azure). */
  container(definition: ContainerDefinition): Promise<Container>;
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
}

/** The Cosmos DB account and database (named as the settings that give them). */
export interface CosmosConfig {
  COSMOS_ENDPOINT: string;
  /** Absent: Entra authentication with the app's identity. */
  COSMOS_KEY?: string | undefined;
  COSMOS_DATABASE: string;
}

export function createCosmosStore(settings: CosmosConfig): CosmosStore {
  const local = settings.COSMOS_ENDPOINT.startsWith('http://');
  const client = new CosmosClient({
    endpoint: settings.COSMOS_ENDPOINT,
    ...(settings.COSMOS_KEY ? { key: settings.COSMOS_KEY } : { aadCredentials: new DefaultAzureCredential() }),
    connectionPolicy: {
      // The emulator advertises an https endpoint it does not serve; following it fails.
      enableEndpointDiscovery: !local,
      requestTimeout: 10_000,
      retryOptions: { maxRetryAttemptCount: 3, fixedRetryIntervalInMilliseconds: 200, maxWaitTimeInSeconds: 10 },
    },
  });
  const canCreate = Boolean(settings.COSMOS_KEY);
  let databaseReady: Promise<unknown> | undefined;
  const containers = new Map<string, Promise<Container>>();
  const database = client.database(settings.COSMOS_DATABASE);

  function ensureDatabase(): Promise<unknown> {
    databaseReady ??= canCreate ? client.databases.createIfNotExists({ id: settings.COSMOS_DATABASE }).catch(unlessCreatedMeanwhile) : Promise.resolve();
    databaseReady.catch(() => (databaseReady = undefined));
    return databaseReady;
  }

  return {
    client,
    database,
    container(definition) {
      let pending = containers.get(definition.id);
      if (!pending) {
        pending = (async () => {
          await ensureDatabase();
          if (!canCreate) return database.container(definition.id);
          const created = await database.containers
            .createIfNotExists({ id: definition.id, partitionKey: { paths: [definition.partitionKey] } })
            .catch(unlessCreatedMeanwhile);
          return created?.container ?? database.container(definition.id);
        })();
        containers.set(definition.id, pending);
        pending.catch(() => containers.delete(definition.id));
      }
      return pending;
    },
    async ping() {
      await client.getDatabaseAccount();
    },
  };
}

/**
 * createIfNotExists reads, then creates on a 404: another instance creating the same database or
 * container in between makes the create a 409. It exists then, which is all the caller wanted
 * (found by two instances' first requests racing, test/host/instances.test.ts).
 */
function unlessCreatedMeanwhile(error: unknown): undefined {
  if ((error as { code?: unknown }).code === 409) return undefined;
  throw error;
}

/** Properties Cosmos DB adds to every document it stores; none is part of Arbor's data. */
const systemProperties: readonly string[] = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

function withoutSystemProperties(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !systemProperties.includes(key)));
}

export interface DocumentProblem {
  /** The document's property, as a path (`steps.a.lineage.read[0].name`). */
  field: string;
  problem: string;
}

/**
 * A stored document that does not have the shape this version of Arbor reads: written by an
 * older version, or edited by hand. Named exactly, so an operator can find the one document;
 * the platform's error model makes it a 500 (our fault, not the caller's).
 */
export class CorruptDocumentError extends Error {
  constructor(
    readonly container: string,
    readonly id: string,
    readonly problems: DocumentProblem[],
  ) {
    super(`stored document ${container}/${id} does not have the shape Arbor reads: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`);
    this.name = new.target.name;
  }
}

/** A document with the ETag it was read at, for a conditional replace. */
export interface StoredDocument<T> {
  document: T;
  etag: string | undefined;
}

/**
 * The one way Arbor reads and writes a container: every call turns "Cosmos did not answer"
 * into a 503 naming it, every read drops the system properties and parses the document with
 * the repository's schema (a document of another shape is a CorruptDocumentError, never a
 * half-typed object), and writes take the schema's type.
 */
export interface CosmosRepository<T extends { id: string }> {
  readonly container: string;
  /** The document, or undefined when there is none with that id in that partition. */
  read(id: string, partitionKey: string): Promise<T | undefined>;
  readWithEtag(id: string, partitionKey: string): Promise<StoredDocument<T> | undefined>;
  /** Every page of a query's results. */
  query(query: string | SqlQuerySpec, options?: FeedOptions): Promise<T[]>;
  /** The first page only (at most `maxItemCount`): for "the newest n" without OFFSET/LIMIT. */
  firstPage(query: string | SqlQuerySpec, options: FeedOptions & { maxItemCount: number }): Promise<T[]>;
  /** Fails with Cosmos DB's 409 when the id is taken. */
  create(document: T): Promise<void>;
  upsert(document: T): Promise<void>;
  /** Fails with Cosmos DB's 412 when the document changed since `ifMatch` was read. */
  replace(document: T, partitionKey: string, ifMatch?: string): Promise<void>;
  patch(id: string, partitionKey: string, operations: PatchRequestBody): Promise<void>;
  /** False when there was nothing to delete. */
  delete(id: string, partitionKey: string): Promise<boolean>;
}

export function cosmosRepository<T extends { id: string }>(
  store: CosmosStore,
  definition: ContainerDefinition,
  schema: z.ZodType<T>,
): CosmosRepository<T> {
  const container = definition.id;
  const call = <R>(operation: StorageOperation['operation'], work: (target: Container) => Promise<R>) => {
    recordStorageOperation({ store: 'cosmos', operation, container });
    return callDependency('cosmos', async () => work(await store.container(definition)));
  };
  const parse = (resource: Record<string, unknown>): T => {
    const parsed = schema.safeParse(withoutSystemProperties(resource));
    if (parsed.success) return parsed.data;
    const id = typeof resource.id === 'string' ? resource.id : '(no id)';
    throw new CorruptDocumentError(
      container,
      id,
      parsed.error.issues.map((issue) => ({ field: z.core.toDotPath(issue.path) || '(document)', problem: issue.message })),
    );
  };
  const readWithEtag = (id: string, partitionKey: string) =>
    call('read', async (target) => {
      const { resource, etag } = await target.item(id, partitionKey).read<Record<string, unknown>>();
      return resource ? { document: parse(resource), etag } : undefined;
    });
  return {
    container,
    readWithEtag,
    async read(id, partitionKey) {
      return (await readWithEtag(id, partitionKey))?.document;
    },
    query(query, options) {
      return call('query', async (target) => (await target.items.query<Record<string, unknown>>(query, options).fetchAll()).resources.map(parse));
    },
    firstPage(query, options) {
      return call('query', async (target) => (await target.items.query<Record<string, unknown>>(query, options).fetchNext()).resources.map(parse));
    },
    async create(document) {
      await call('write', (target) => target.items.create(document));
    },
    async upsert(document) {
      await call('write', (target) => target.items.upsert(document));
    },
    async replace(document, partitionKey, ifMatch) {
      await call('write', (target) =>
        target.item(document.id, partitionKey).replace(document, ifMatch ? { accessCondition: { type: 'IfMatch', condition: ifMatch } } : {}),
      );
    },
    async patch(id, partitionKey, operations) {
      await call('write', (target) => target.item(id, partitionKey).patch(operations));
    },
    delete(id, partitionKey) {
      return call('delete', async (target) => {
        try {
          await target.item(id, partitionKey).delete();
          return true;
        } catch (error) {
          if ((error as { code?: unknown }).code === 404) return false;
          throw error;
        }
      });
    },
  };
}
