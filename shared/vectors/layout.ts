/**
 * Where a collection lives in blob storage (container `vectors`); docs/vectors.md is the spec.
 *
 *   vectors/{collection}/{uid}/shard-{n}/log/{segment:8}.jsonl         append blobs, one record a line
 *   vectors/{collection}/{uid}/shard-{n}/snapshot/latest.json          pointer to the newest snapshot
 *   vectors/{collection}/{uid}/shard-{n}/snapshot/{seq:12}/manifest.json
 *   vectors/{collection}/{uid}/shard-{n}/snapshot/{seq:12}/index.{engine}.bin
 *   vectors/{collection}/{uid}/shard-{n}/snapshot/{seq:12}/vectors.f32  raw vectors, label order
 *   vectors/{collection}/{uid}/shard-{n}/snapshot/{seq:12}/items.json   ids and metadata, label order
 *
 * `uid` is new each time a collection is created, so a dropped and re-created collection never
 * sees its predecessor's blobs.
 */
export const vectorsContainer = 'vectors';

export interface ShardRef {
  collection: string;
  uid: string;
  shard: number;
}

export const collectionPrefix = (collection: string, uid: string) => `${collection}/${uid}/`;
export const shardPrefix = (ref: ShardRef) => `${collectionPrefix(ref.collection, ref.uid)}shard-${ref.shard}/`;
export const logPrefix = (ref: ShardRef) => `${shardPrefix(ref)}log/`;
export const segmentPath = (ref: ShardRef, segment: number) => `${logPrefix(ref)}${String(segment).padStart(8, '0')}.jsonl`;
export const latestSnapshotPath = (ref: ShardRef) => `${shardPrefix(ref)}snapshot/latest.json`;
export const snapshotDir = (ref: ShardRef, seq: number) => `${shardPrefix(ref)}snapshot/${String(seq).padStart(12, '0')}/`;

export function segmentOf(path: string): number | undefined {
  const match = /\/log\/(\d{8})\.jsonl$/.exec(path);
  return match ? Number(match[1]) : undefined;
}
