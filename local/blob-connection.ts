import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where a running local host leaves its embedded Azurite's connection string for tools. */
export function blobConnectionFile(dataDir: string): string {
  return join(dataDir, 'blob-connection-string');
}

/**
 * The storage a local tool talks to: `AzureWebJobsStorage` when it names a real connection
 * string, else the one the running host left under its data dir.
 */
export function localBlobConnectionString(root: string, env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.AzureWebJobsStorage;
  if (configured && configured !== 'UseDevelopmentStorage=true') return configured;
  const file = blobConnectionFile(resolve(root, env.ARBOR_DATA_DIR || '.arbor'));
  if (!existsSync(file)) throw new Error(`no storage to talk to: start the host (npm start), which writes ${file}, or set AzureWebJobsStorage`);
  return readFileSync(file, 'utf8').trim();
}
