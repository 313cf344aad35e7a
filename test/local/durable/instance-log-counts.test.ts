import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { InstanceLog } from '../../../local/durable/instance-log.js';
import { observeStorageOperations, type StorageOperation } from '../../../shared/storage/operation-observers.js';
import { blobClient } from '../../support/clients.js';

/** A durable instance's history writes are counted like run-record writes: what a pipeline step costs in round trips (bench/pipelines). */
const container = blobClient().getContainerClient(`history-${randomUUID().slice(0, 8)}`);

afterAll(async () => {
  await container.deleteIfExists();
});

describe('durable history writes are counted', () => {
  it('counts the blob creation and each appended block, and nothing for a read', async () => {
    const log = new InstanceLog(container);
    await log.init();
    const seen: StorageOperation[] = [];
    const stop = observeStorageOperations((operation) => seen.push(operation));
    try {
      await log.create('run-1', 1, [{ t: 'created' }]);
      await log.append('run-1', 1, [{ t: 'event' }, { t: 'episode' }]);
      await log.append('run-1', 1, [{ t: 'status' }]);
      const stored = [];
      for await (const execution of log.loadAll()) stored.push(execution);
      expect(stored).toEqual([{ instanceId: 'run-1', execution: 1, lines: [{ t: 'created' }, { t: 'event' }, { t: 'episode' }, { t: 'status' }] }]);
    } finally {
      stop();
    }
    // create = the blob and its first block; then one block per append.
    expect(seen).toEqual(Array.from({ length: 4 }, () => ({ store: 'blob', operation: 'write', container: container.containerName })));
  });
});
