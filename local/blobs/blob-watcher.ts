import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf, type RpcTypedData } from '../worker/rpc.js';
import { parseBlobPath, type BlobPath } from './blob-path.js';

export interface BlobWatcherOptions {
  pollIntervalMs: number;
  /** Deliveries of one blob version before it is recorded as poison (Azure's maxDequeueCount is 5). */
  maxAttempts: number;
  retryDelayMs: number;
  /** Blobs delivered at once per function. */
  concurrency: number;
  /** Receipts are shared by every instance of one app, as in Azure. */
  appName: string;
}

export interface WatchedBlobFunction {
  fn: CapturedFunction;
  triggerName: string;
  path: BlobPath;
  client: BlobServiceClient;
}

interface Receipt {
  etag: string;
  status: 'done' | 'failed' | 'poisoned';
  attempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  at: string;
}

export const hostsContainer = 'azure-webjobs-hosts';
const leaseSeconds = 60;

export function receiptPath(appName: string, functionName: string, container: string, blobName: string): string {
  return `blobreceipts/${appName}/${functionName}/${container}/${blobName}`;
}

export function poisonPath(appName: string, functionName: string, container: string, blobName: string): string {
  return `blobpoison/${appName}/${functionName}/${container}/${blobName}.json`;
}

export function buildBlobFunctions(
  functions: Iterable<CapturedFunction>,
  connectionFor: (settingName: string) => BlobServiceClient,
): WatchedBlobFunction[] {
  const watched: WatchedBlobFunction[] = [];
  for (const fn of functions) {
    const { name, binding } = triggerOf(fn.metadata);
    if (binding.type !== 'blobTrigger') continue;
    if (typeof binding.path !== 'string') throw new Error(`blob trigger "${fn.metadata.name}" has no path`);
    const connection = typeof binding.connection === 'string' && binding.connection ? binding.connection : 'AzureWebJobsStorage';
    watched.push({ fn, triggerName: name, path: parseBlobPath(binding.path), client: connectionFor(connection) });
  }
  return watched;
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof RestError && statuses.includes(error.statusCode ?? 0);
}

/**
 * Delivers each new or changed blob to its function once. Like the Functions host, it keeps a
 * receipt per blob version in azure-webjobs-hosts (leased while a delivery runs, so instances
 * sharing storage never deliver one version twice), retries a failing blob, and after
 * maxAttempts writes a poison record and stops.
 */
export class BlobWatcher {
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  /** Versions already settled (done or poisoned), so steady polls read no receipts. */
  #settled = new Map<string, string>();
  #passes = 0;

  constructor(
    private readonly api: CoreApi,
    private readonly watched: readonly WatchedBlobFunction[],
    private readonly options: BlobWatcherOptions,
    private readonly log: InvocationLogger,
    private readonly resolveExtraInput?: ExtraInputResolver,
  ) {}

  async start(): Promise<void> {
    for (const w of this.watched) {
      await w.client.getContainerClient(w.path.container).createIfNotExists();
      await w.client.getContainerClient(hostsContainer).createIfNotExists();
    }
    this.#schedule(0);
  }

  /** Completed passes over every watched container: a test waits for one that began after its upload. */
  get passes(): number {
    return this.#passes;
  }

  /** One pass over every watched container; resolves when its deliveries are done. */
  pollOnce(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.pollOnce()
        .catch((error: unknown) => this.log('host', '-', 'warning', `blob poll failed: ${String(error)}`))
        .finally(() => this.#schedule(this.options.pollIntervalMs));
    }, delay);
  }

  async #poll(): Promise<void> {
    for (const w of this.watched) {
      if (this.#stopped) return;
      const container = w.client.getContainerClient(w.path.container);
      const due: Array<{ name: string; etag: string; params: Record<string, string> }> = [];
      for await (const blob of container.listBlobsFlat()) {
        const params = w.path.match(blob.name);
        const etag = blob.properties.etag ?? '';
        if (!params) continue;
        if (this.#settled.get(`${w.fn.metadata.name}/${blob.name}`) === etag) continue;
        due.push({ name: blob.name, etag, params });
      }
      for (let i = 0; i < due.length; i += this.options.concurrency) {
        const batch = due.slice(i, i + this.options.concurrency);
        await Promise.all(batch.map((blob) => this.#deliver(w, container, blob)));
      }
    }
    this.#passes++;
  }

  async #deliver(
    w: WatchedBlobFunction,
    container: ContainerClient,
    blob: { name: string; etag: string; params: Record<string, string> },
  ): Promise<void> {
    const functionName = w.fn.metadata.name;
    const hosts = w.client.getContainerClient(hostsContainer);
    const receiptBlob = hosts.getBlockBlobClient(receiptPath(this.options.appName, functionName, w.path.container, blob.name));
    try {
      await receiptBlob.upload('{}', 2, { conditions: { ifNoneMatch: '*' } });
    } catch (error) {
      if (!isStatus(error, 409, 412)) throw error;
    }
    const lease = receiptBlob.getBlobLeaseClient();
    try {
      await lease.acquireLease(leaseSeconds);
    } catch (error) {
      if (isStatus(error, 409, 412)) return; // another instance is delivering it
      throw error;
    }
    try {
      const previous = JSON.parse((await receiptBlob.downloadToBuffer()).toString() || '{}') as Partial<Receipt>;
      const sameVersion = previous.etag === blob.etag;
      if (sameVersion && (previous.status === 'done' || previous.status === 'poisoned')) {
        this.#settled.set(`${functionName}/${blob.name}`, blob.etag);
        return;
      }
      if (sameVersion && previous.nextAttemptAt && Date.parse(previous.nextAttemptAt) > Date.now()) return;
      const attempts = (sameVersion ? previous.attempts ?? 0 : 0) + 1;
      const receipt = await this.#invoke(w, container, blob, attempts);
      if (receipt.status === 'poisoned') {
        await hosts.getBlockBlobClient(poisonPath(this.options.appName, functionName, w.path.container, blob.name)).upload(
          JSON.stringify({ function: functionName, container: w.path.container, blob: blob.name, etag: blob.etag, attempts, error: receipt.lastError, at: receipt.at }, null, 2),
          0,
          { blobHTTPHeaders: { blobContentType: 'application/json' } },
        ).then(() => undefined);
        this.log(functionName, '-', 'error', `${w.path.container}/${blob.name} is poison after ${attempts} attempts: ${receipt.lastError}`);
      }
      const text = JSON.stringify(receipt);
      await receiptBlob.upload(text, Buffer.byteLength(text), { conditions: { leaseId: lease.leaseId } });
      if (receipt.status !== 'failed') this.#settled.set(`${functionName}/${blob.name}`, blob.etag);
    } finally {
      await lease.releaseLease().catch(() => undefined);
    }
  }

  async #invoke(
    w: WatchedBlobFunction,
    container: ContainerClient,
    blob: { name: string; etag: string; params: Record<string, string> },
    attempts: number,
  ): Promise<Receipt> {
    const at = new Date().toISOString();
    try {
      const client = container.getBlobClient(blob.name);
      // Read the version we were told about: a newer write gets its own delivery.
      const content = await client.downloadToBuffer(0, undefined, { conditions: { ifMatch: blob.etag } });
      const properties = await client.getProperties();
      const triggerMetadata: Record<string, RpcTypedData> = {
        BlobTrigger: { string: `${w.path.container}/${blob.name}` },
        Uri: { string: client.url },
        Properties: {
          json: JSON.stringify({
            ETag: properties.etag,
            Length: properties.contentLength,
            ContentType: properties.contentType,
            LastModified: properties.lastModified?.toISOString(),
            CreatedOn: properties.createdOn?.toISOString(),
            AccessTier: properties.accessTier,
          }),
        },
        Metadata: { json: JSON.stringify(properties.metadata ?? {}) },
      };
      for (const [name, value] of Object.entries(blob.params)) triggerMetadata[name] = { string: value };
      await invokeCaptured(
        this.api,
        w.fn,
        {
          inputData: [{ name: w.triggerName, data: { bytes: content } }],
          triggerMetadata,
          retryContext: { retryCount: attempts - 1, maxRetryCount: this.options.maxAttempts - 1 },
        },
        this.log,
        this.resolveExtraInput,
      );
      return { etag: blob.etag, status: 'done', attempts, at };
    } catch (error) {
      if (isStatus(error, 412, 404)) {
        // Changed or deleted since listing: the next poll sees the new version, if any.
        return { etag: blob.etag, status: 'done', attempts, at, lastError: 'superseded before delivery' };
      }
      const lastError = error instanceof Error ? error.message : String(error);
      this.log(w.fn.metadata.name, '-', 'warning', `attempt ${attempts} on ${w.path.container}/${blob.name} failed: ${lastError}`);
      if (attempts >= this.options.maxAttempts) return { etag: blob.etag, status: 'poisoned', attempts, at, lastError };
      const nextAttemptAt = new Date(Date.now() + this.options.retryDelayMs * attempts).toISOString();
      return { etag: blob.etag, status: 'failed', attempts, at, lastError, nextAttemptAt };
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling?.catch(() => undefined);
  }
}
