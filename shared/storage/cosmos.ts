import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';

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
    databaseReady ??= canCreate ? client.databases.createIfNotExists({ id: settings.COSMOS_DATABASE }) : Promise.resolve();
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
          const { container } = await database.containers.createIfNotExists({
            id: definition.id,
            partitionKey: { paths: [definition.partitionKey] },
          });
          return container;
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

/** A document as the app wrote it, without the properties Cosmos DB adds (_rid, _etag ...). */
export function withoutSystemProperties<T extends object>(document: T): T {
  const { _rid, _self, _etag, _attachments, _ts, ...rest } = document as T & Record<string, unknown>;
  return rest as T;
}
