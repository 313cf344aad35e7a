import { blobTriggerSource } from './blob-trigger-source.js';

/** A blob-triggered function and the container its path watches. */
export interface WatchedContainer {
  functionName: string;
  container: string;
}

const watched: WatchedContainer[] = [];

/**
 * The options every blob trigger shares (path, connection, source), recording which function
 * watches which container: `/api/health` checks that each has its Event Grid subscription in
 * Azure, where a blob trigger without one never fires and nothing else says so.
 */
export function blobTriggerOptions(functionName: string, path: string) {
  const container = path.split('/')[0] ?? '';
  if (!watched.some((w) => w.functionName === functionName)) watched.push({ functionName, container });
  return { path, connection: 'AzureWebJobsStorage', ...blobTriggerSource() };
}

/** The blob triggers the app registered, in registration order. */
export function watchedContainers(): readonly WatchedContainer[] {
  return watched;
}
