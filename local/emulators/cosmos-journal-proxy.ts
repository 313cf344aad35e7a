import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JournalWriter, readJournal, rewriteJournal, type JournalEntry } from './cosmos-journal.js';

/**
 * The headers that decide what a write does (upsert, batch, partition). Preconditions (if-match)
 * are left out: they held when the write was acknowledged, and replay makes new etags.
 */
const replayedHeaders = [
  'content-type',
  'x-ms-documentdb-is-upsert',
  'x-ms-documentdb-partitionkey',
  'x-ms-cosmos-is-batch-request',
  'x-ms-cosmos-batch-atomic',
  'x-ms-cosmos-batch-continue-on-error',
];

/** Properties the server adds to every resource; a compacted journal recreates resources without them. */
const systemProperties = new Set(['_rid', '_self', '_etag', '_ts', '_attachments', '_docs', '_sprocs', '_triggers', '_udfs', '_conflicts']);

export interface JournalingProxy {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Makes an in-memory cosmosdb-server durable: replays `journalFile` into it, compacts the file to
 * the resulting state, then serves a loopback proxy that journals every acknowledged write
 * (appended and fsynced before the caller gets its answer). Writes pass one at a time so the
 * journal's order is the order the server applied them.
 */
export async function startJournalingProxy(upstream: string, journalFile: string): Promise<JournalingProxy> {
  for (const [index, entry] of readJournal(journalFile).entries()) {
    const response = await send(upstream, entry);
    if (response.status >= 300) {
      throw new Error(`${journalFile}: replaying entry ${index + 1} (${entry.method} ${entry.path}) got ${response.status} ${response.body.slice(0, 200)}`);
    }
  }
  rewriteJournal(journalFile, await currentState(upstream));
  const journal = new JournalWriter(journalFile);

  let writes: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const entry: JournalEntry = { method: req.method ?? 'GET', path: req.url ?? '/', headers: pick(req.headers), ...(body.length ? { body: body.toString('utf8') } : {}) };
      const forward = () => send(upstream, entry, req.headers, body);
      let response: Awaited<ReturnType<typeof send>>;
      if (isWrite(req)) {
        const applied = writes.then(async () => {
          const result = await forward();
          if (result.status >= 200 && result.status < 300) journal.append(entry);
          return result;
        });
        writes = applied.catch(() => undefined);
        response = await applied;
      } else {
        response = await forward();
      }
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    })().catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'ServiceUnavailable', message: `local Cosmos journal: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writes;
      journal.close();
    },
  };
}

function isWrite(req: IncomingMessage): boolean {
  if (req.method === 'POST') {
    const query = String(req.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true' || req.headers['content-type'] === 'application/query+json';
    return !query;
  }
  return req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE';
}

function pick(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of replayedHeaders) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the server; `original` headers are the caller's (forwarded as they came). */
function send(upstream: string, entry: JournalEntry, original?: IncomingHttpHeaders, rawBody?: Buffer): Promise<UpstreamResponse> {
  const body = rawBody ?? Buffer.from(entry.body ?? '', 'utf8');
  const url = new URL(entry.path, upstream);
  const { connection: _connection, 'transfer-encoding': _encoding, ...passed } = original ?? entry.headers;
  const headers: Record<string, string | string[] | undefined> = { ...passed, host: url.host, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: entry.method, headers }, (response) => {
      void readBody(response).then(
        (buffer) => {
          const { 'transfer-encoding': _encoding, ...headers } = response.headers;
          resolve({ status: response.statusCode ?? 500, headers, body: buffer.toString('utf8') });
        },
        reject,
      );
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

async function list<T>(upstream: string, path: string, field: string): Promise<T[]> {
  const response = await send(upstream, { method: 'GET', path, headers: {} });
  if (response.status !== 200) throw new Error(`reading ${path} from cosmosdb-server got ${response.status}`);
  return ((JSON.parse(response.body) as Record<string, T[]>)[field] ?? []) as T[];
}

/** The server's whole content as the writes that recreate it: databases, containers, functions, documents. */
async function currentState(upstream: string): Promise<JournalEntry[]> {
  const json = { 'content-type': 'application/json' };
  const entries: JournalEntry[] = [];
  const create = (path: string, resource: Record<string, unknown>) => entries.push({ method: 'POST', path, headers: json, body: JSON.stringify(withoutSystemProperties(resource)) });
  for (const database of await list<{ id: string }>(upstream, '/dbs', 'Databases')) {
    const dbPath = `/dbs/${encodeURIComponent(database.id)}`;
    create('/dbs', database);
    for (const collection of await list<{ id: string }>(upstream, `${dbPath}/colls`, 'DocumentCollections')) {
      const collPath = `${dbPath}/colls/${encodeURIComponent(collection.id)}`;
      create(`${dbPath}/colls`, collection);
      for (const udf of await list<Record<string, unknown>>(upstream, `${collPath}/udfs`, 'UserDefinedFunctions')) create(`${collPath}/udfs`, udf);
      for (const document of await list<Record<string, unknown>>(upstream, `${collPath}/docs`, 'Documents')) create(`${collPath}/docs`, document);
    }
  }
  return entries;
}

function withoutSystemProperties(resource: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !systemProperties.has(key)));
}
