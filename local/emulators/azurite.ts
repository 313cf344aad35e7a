import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, startChildService, type ChildService } from './child-service.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
const account = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteService extends ChildService {
  connectionString: string;
  blobEndpoint: string;
}

export async function startAzurite(options: { location?: string; inMemory?: boolean; port?: number }): Promise<AzuriteService> {
  const main = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  // A fixed port (ARBOR_BLOB_PORT) keeps tools pointed at it across restarts; 0 or unset picks a free one.
  const port = options.port || (await freePort());
  const args = [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--skipApiVersionCheck', '--disableTelemetry', '--silent', '--loose'];
  if (options.inMemory) {
    args.push('--inMemoryPersistence');
  } else {
    const location = options.location ?? '.arbor/azurite';
    mkdirSync(location, { recursive: true });
    args.push('--location', location);
  }
  const service = await startChildService('azurite', process.execPath, args, /successfully listens on/);
  const blobEndpoint = `http://127.0.0.1:${port}/${account}`;
  return {
    ...service,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};BlobEndpoint=${blobEndpoint};`,
  };
}
