import { RestError, type ContainerClient } from '@azure/storage-blob';
import { recordStorageOperation } from '../../shared/storage/operation-observers.js';

/**
 * Each orchestration instance's durable record: an append blob per execution, one JSON line per
 * change (created, an event received, an episode replayed, a status change). Writing the line
 * before acting on it is what lets a restarted host resume without re-running completed work.
 */
export type LogLine = Record<string, unknown> & { t: string };

export interface StoredExecution {
  instanceId: string;
  execution: number;
  lines: LogLine[];
}

const prefix = 'instances/';

function blobName(instanceId: string, execution: number): string {
  return `${prefix}${encodeURIComponent(instanceId)}/${String(execution).padStart(6, '0')}.log`;
}

export class InstanceLog {
  #writes = new Map<string, Promise<void>>();

  constructor(private readonly container: ContainerClient) {}

  async init(): Promise<void> {
    await this.container.createIfNotExists();
  }

  /** Starts a new execution's log with its first lines. */
  async create(instanceId: string, execution: number, lines: LogLine[]): Promise<void> {
    await this.#serial(instanceId, async () => {
      const blob = this.container.getAppendBlobClient(blobName(instanceId, execution));
      await blob.create();
      recordStorageOperation({ store: 'blob', operation: 'write', container: this.container.containerName });
      await this.#appendNow(instanceId, execution, lines);
    });
  }

  append(instanceId: string, execution: number, lines: LogLine[]): Promise<void> {
    return this.#serial(instanceId, () => this.#appendNow(instanceId, execution, lines));
  }

  async #appendNow(instanceId: string, execution: number, lines: LogLine[]): Promise<void> {
    const text = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
    const body = Buffer.from(text);
    const blob = this.container.getAppendBlobClient(blobName(instanceId, execution));
    // An append block holds at most 4 MiB.
    for (let offset = 0; offset < body.length; offset += 4 * 1024 * 1024) {
      const chunk = body.subarray(offset, offset + 4 * 1024 * 1024);
      await blob.appendBlock(chunk, chunk.length);
      // Counted like the run records' writes: each is a round trip (a billed transaction in Azure Storage).
      recordStorageOperation({ store: 'blob', operation: 'write', container: this.container.containerName });
    }
  }

  /** Writes to one instance in order; different instances proceed in parallel. */
  #serial(instanceId: string, write: () => Promise<void>): Promise<void> {
    const previous = this.#writes.get(instanceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    this.#writes.set(instanceId, next);
    const forget = () => {
      if (this.#writes.get(instanceId) === next) this.#writes.delete(instanceId);
    };
    // The caller handles a failed write; this bookkeeping must not raise it a second time.
    next.then(forget, forget);
    return next;
  }

  async purge(instanceId: string): Promise<number> {
    await this.#writes.get(instanceId)?.catch(() => undefined);
    let deleted = 0;
    for await (const blob of this.container.listBlobsFlat({ prefix: `${prefix}${encodeURIComponent(instanceId)}/` })) {
      try {
        await this.container.deleteBlob(blob.name);
        deleted++;
      } catch (error) {
        if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      }
    }
    return deleted > 0 ? 1 : 0;
  }

  /** The latest execution of every stored instance, for resuming after a restart. */
  async *loadAll(): AsyncGenerator<StoredExecution> {
    const latest = new Map<string, { name: string; execution: number }>();
    for await (const blob of this.container.listBlobsFlat({ prefix })) {
      const match = /^instances\/([^/]+)\/(\d+)\.log$/.exec(blob.name);
      if (!match) continue;
      const instanceId = decodeURIComponent(match[1] as string);
      const execution = Number(match[2]);
      const current = latest.get(instanceId);
      if (!current || current.execution < execution) latest.set(instanceId, { name: blob.name, execution });
    }
    for (const [instanceId, { name, execution }] of latest) {
      const text = (await this.container.getBlobClient(name).downloadToBuffer()).toString();
      const lines: LogLine[] = [];
      for (const raw of text.split('\n')) {
        if (!raw.trim()) continue;
        try {
          lines.push(JSON.parse(raw) as LogLine);
        } catch {
          // A line cut short by a crash is the last one; what it described did not happen.
          break;
        }
      }
      yield { instanceId, execution, lines };
    }
  }
}
