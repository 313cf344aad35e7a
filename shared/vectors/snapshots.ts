import { RestError, type ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { callDependency } from '../storage/dependency.js';
import { metadataValue, type Metadata } from './filter.js';
import { latestSnapshotPath, snapshotDir, type ShardRef } from './layout.js';

/**
 * A shard snapshot: the engine's index file, the raw vectors (so any engine can rebuild), and
 * each label's id and metadata. `latest.json` is written last: a snapshot is visible only whole.
 */
export const snapshotManifest = z.object({
  format: z.literal(1),
  engine: z.enum(['native', 'wasm']),
  seq: z.number().int().min(0),
  /** Log segments below this one are covered; replay starts here. */
  nextSegment: z.number().int().min(0),
  dimension: z.number().int(),
  metric: z.enum(['cosine', 'l2', 'ip']),
  labels: z.number().int().min(0),
  live: z.number().int().min(0),
  capacity: z.number().int().min(0),
  createdAt: z.string(),
  dir: z.string(),
});
export type SnapshotManifest = z.output<typeof snapshotManifest>;

const itemsFile = z.object({
  ids: z.array(z.string().nullable()),
  metadata: z.array(z.record(z.string(), metadataValue).nullable()),
});

export interface SnapshotContent {
  manifest: SnapshotManifest;
  index: Uint8Array;
  /** One per label, in label order; tombstoned labels are zero vectors. */
  vectors: Float32Array;
  ids: Array<string | null>;
  metadata: Array<Metadata | null>;
}

export async function writeSnapshot(container: ContainerClient, ref: ShardRef, content: Omit<SnapshotContent, 'manifest'> & { manifest: Omit<SnapshotManifest, 'dir'> }): Promise<SnapshotManifest> {
  const dir = snapshotDir(ref, content.manifest.seq);
  const manifest: SnapshotManifest = { ...content.manifest, dir };
  const upload = (name: string, body: Buffer | Uint8Array) =>
    callDependency('blob', () => container.getBlockBlobClient(`${dir}${name}`).uploadData(body));
  await Promise.all([
    upload(`index.${manifest.engine}.bin`, content.index),
    upload('vectors.f32', new Uint8Array(content.vectors.buffer, content.vectors.byteOffset, content.vectors.byteLength)),
    upload('items.json', Buffer.from(JSON.stringify({ ids: content.ids, metadata: content.metadata }))),
  ]);
  await upload('manifest.json', Buffer.from(JSON.stringify(manifest)));
  await callDependency('blob', () =>
    container.getBlockBlobClient(latestSnapshotPath(ref)).uploadData(Buffer.from(JSON.stringify(manifest)), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    }),
  );
  return manifest;
}

export async function readLatestManifest(container: ContainerClient, ref: ShardRef): Promise<SnapshotManifest | undefined> {
  const bytes = await download(container, latestSnapshotPath(ref));
  if (!bytes) return undefined;
  return snapshotManifest.parse(JSON.parse(bytes.toString('utf8')));
}

/** The snapshot's files; the index file only when `withIndex` (another engine rebuilds instead). */
export async function readSnapshot(container: ContainerClient, manifest: SnapshotManifest, withIndex: boolean): Promise<SnapshotContent> {
  const [index, vectorBytes, items] = await Promise.all([
    withIndex ? required(container, `${manifest.dir}index.${manifest.engine}.bin`) : Promise.resolve(Buffer.alloc(0)),
    required(container, `${manifest.dir}vectors.f32`),
    required(container, `${manifest.dir}items.json`),
  ]);
  const vectors = new Float32Array(vectorBytes.byteLength / 4);
  new Uint8Array(vectors.buffer).set(vectorBytes);
  const parsed = itemsFile.parse(JSON.parse(items.toString('utf8')));
  return { manifest, index: new Uint8Array(index), vectors, ids: parsed.ids, metadata: parsed.metadata };
}

export async function deleteSnapshotsExcept(container: ContainerClient, ref: ShardRef, keepDir: string): Promise<void> {
  const prefix = snapshotDir(ref, 0).replace(/\d{12}\/$/, '');
  await callDependency('blob', async () => {
    for await (const blob of container.listBlobsFlat({ prefix })) {
      if (blob.name.endsWith('/latest.json') || blob.name.startsWith(keepDir)) continue;
      await container.getBlobClient(blob.name).deleteIfExists();
    }
  });
}

async function required(container: ContainerClient, path: string): Promise<Buffer> {
  const bytes = await download(container, path);
  if (!bytes) throw new Error(`snapshot file ${path} is missing`);
  return bytes;
}

async function download(container: ContainerClient, path: string): Promise<Buffer | undefined> {
  return callDependency('blob', async () => {
    try {
      return await container.getBlockBlobClient(path).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  });
}
