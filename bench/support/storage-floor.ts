/**
 * What one storage round trip costs on the emulators a benchmark runs against, with the raw SDK
 * clients (no repository, schema or metrics): the floor under anything that counts operations.
 */
import { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { percentile, timeEach } from './percentile.js';

export interface StorageFloor {
  /** p50 ms of a Cosmos DB upsert of a 1 KB document. */
  cosmosWrite: number;
  /** p50 ms of a Cosmos DB point read of it. */
  cosmosRead: number;
  /** p50 ms of appending a 400-byte block to an append blob. */
  blobAppend: number;
}

const p50 = async (times: number, once: (i: number) => Promise<unknown>): Promise<number> => percentile(await timeEach(times, once), 50);

export async function measureStorageFloor(env: Record<string, string>, times = 200): Promise<StorageFloor> {
  const stamp = Date.now();
  const cosmos = new CosmosClient({ endpoint: env.COSMOS_ENDPOINT as string, key: env.COSMOS_KEY as string, connectionPolicy: { enableEndpointDiscovery: false } });
  const { database } = await cosmos.databases.createIfNotExists({ id: `benchfloor${stamp}` });
  const blobs = BlobServiceClient.fromConnectionString(env.AzureWebJobsStorage as string).getContainerClient(`benchfloor${stamp}`);
  try {
    const { container } = await database.containers.createIfNotExists({ id: 'records', partitionKey: { paths: ['/id'] } });
    const document = { id: 'run-1', pipeline: 'bench', state: 'running', steps: { s0: { state: 'running', attempts: 1, startedAt: new Date().toISOString() } }, padding: 'x'.repeat(800) };
    const cosmosWrite = await p50(times, (i) => container.items.upsert({ ...document, n: i }));
    const cosmosRead = await p50(times, () => container.item('run-1', 'run-1').read());
    await blobs.create();
    const blob = blobs.getAppendBlobClient('history.log');
    await blob.create();
    const line = Buffer.from(`${JSON.stringify({ t: 'event', padding: 'x'.repeat(360) })}\n`);
    const blobAppend = await p50(times, () => blob.appendBlock(line, line.length));
    return { cosmosWrite, cosmosRead, blobAppend };
  } finally {
    await database.delete().catch(() => undefined);
    await blobs.deleteIfExists().catch(() => undefined);
  }
}
