import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, startChildService, type ChildService } from './child-service.js';
import { startJournalingProxy } from './cosmos-journal-proxy.js';

/** The Cosmos DB emulator's well-known key; @vercel/cosmosdb-server accepts any key. */
export const cosmosEmulatorKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosService extends ChildService {
  endpoint: string;
}

/**
 * @vercel/cosmosdb-server over plain HTTP: its bundled certificate expired in 2021. It keeps
 * data in memory only; with a `journalFile`, a journaling proxy in front of it makes the data
 * outlive the process (the endpoint handed out is then the proxy's).
 */
export async function startCosmos(options: { journalFile?: string } = {}): Promise<CosmosService> {
  const library = join(dirname(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json')), 'lib', 'index.js');
  const port = await freePort();
  // Its command line cannot turn keep-alive on, and without it every response closes its
  // connection: each Cosmos call paid a new TCP connection (1,300 in 5 s of bench/pipelines),
  // which the Cosmos DB gateway does not do.
  const launcher = [
    `const server = require(${JSON.stringify(library)}).createHttpServer({ keepAlive: true });`,
    `server.listen(${port}, '127.0.0.1', () => console.log('Ready to accept HTTP connections at 127.0.0.1:${port}'));`,
  ].join('\n');
  const service = await startChildService('cosmosdb-server', process.execPath, ['--eval', launcher], /Ready to accept HTTP connections/);
  const serverEndpoint = `http://127.0.0.1:${port}`;
  if (!options.journalFile) return { ...service, endpoint: serverEndpoint };
  try {
    const proxy = await startJournalingProxy(serverEndpoint, options.journalFile);
    return {
      ...service,
      endpoint: proxy.endpoint,
      async stop() {
        await proxy.stop();
        await service.stop();
      },
    };
  } catch (error) {
    await service.stop();
    throw error;
  }
}
