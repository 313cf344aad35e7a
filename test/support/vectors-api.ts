import type { HostProcess } from './host-process.js';

export interface QueryAnswer {
  results: Array<{ id: string; score: number; metadata: Record<string, unknown> | null }>;
  partial: boolean;
  shards: { asked: number; answered: number; failed?: Array<{ shard: number; reason: string }> };
}

export interface Described {
  name: string;
  items: number;
  engine: string;
  shardStats: Array<{ shard: number; items: number; tombstones: number; logRecords: number; lastSnapshot: { seq: number; engine: string } | null }>;
}

/** The vector API of a running host, as a client would call it. */
export function vectorsApi(host: Pick<HostProcess, 'url'>) {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${host.url}/api/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  const ok = async <T>(response: Promise<Response>): Promise<T> => {
    const res = await response;
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    call,
    create: (name: string, spec: Record<string, unknown>) => call('PUT', `collections/${name}`, spec),
    describe: (name: string) => ok<Described>(call('GET', `collections/${name}`)),
    upsert: (name: string, items: Array<{ id: string; vector: number[]; metadata?: Record<string, unknown> }>) =>
      ok<{ upserted: number }>(call('POST', `collections/${name}/items`, { items })),
    /** Upserts in batches of 500, as a client with many items would. */
    async upsertAll(name: string, items: Array<{ id: string; vector: number[]; metadata?: Record<string, unknown> }>) {
      for (let start = 0; start < items.length; start += 500) await this.upsert(name, items.slice(start, start + 500));
    },
    remove: (name: string, id: string) => call('DELETE', `collections/${name}/items/${id}`),
    query: (name: string, body: Record<string, unknown>) => ok<QueryAnswer>(call('POST', `collections/${name}/query`, body)),
    snapshot: (name: string) => ok<{ shards: Array<{ shard: number; written: boolean }> }>(call('POST', `collections/${name}/snapshot`)),
  };
}
