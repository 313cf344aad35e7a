import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { jsonApi } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server.js';
import { textPdf } from '../support/pdf-fixture.js';

const redisDoc = `# Online store

Arbor keeps online features in Redis. Each entity key has one hash, with a field per feature.

## Writes

A write that is older than the stored row is skipped, so late data never overwrites newer values.`;

const parquetDoc = `# Offline store

Offline features are parquet files in blob storage. Old partitions move to the archive tier after 180 days, and a query that needs one gets a 409.`;

const grafanaHtml = `<html><head><title>Dashboards</title></head><body><h1>Dashboards</h1><p>Grafana shows the p99 latency of every function &amp; the drift scores.</p></body></html>`;

function parseEvents(text: string): Array<{ event: string; data: Record<string, any> }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? '{}') as Record<string, any>;
      return { event, data };
    });
}

describe('RAG through the local host', () => {
  let host: HostProcess;
  const collection = uniqueName('docs');
  const call = jsonApi(() => host);

  beforeAll(async () => {
    // The blob-triggered ingestion writes to ARBOR_RAG_COLLECTION: this host's own.
    host = await startHostProcess({ ARBOR_RAG_COLLECTION: collection, ARBOR_RAG_MAX_DOCUMENT_BYTES: '20000', 'AzureWebJobs.ingest-rag-document.Disabled': 'false' });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('ingests over HTTP and from the documents container, and answers with the citing document', async () => {
    const created = await call('POST', 'rag/documents', { id: 'online-store', text: redisDoc, metadata: { team: 'features' } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ status: 'created', collection, chunks: 2 });
    expect((await call('POST', 'rag/documents', { id: 'offline-store', text: parquetDoc, metadata: { team: 'storage' } })).status).toBe(201);
    const container = blobClient().getContainerClient('documents');
    await container.createIfNotExists();
    const name = `${uniqueName('guides')}/dashboards.html`;
    await container.getBlockBlobClient(name).upload(grafanaHtml, grafanaHtml.length);

    let last: unknown;
    // Ingestion indexes the keyword terms last (after vectors and texts): once keyword search
    // finds the page, all of it is in, and the fused ranking below is the settled one.
    await eventually(async () => {
      const response = await call('POST', 'rag/ask', { question: 'Which tool shows the p99 latency of every function?', retrieval: 'keyword' });
      last = response.body;
      return response.body.citations?.[0]?.documentId === name ? response : undefined;
    }, 20_000, 250).catch((error: unknown) => {
      throw new Error(`${String(error)}; last answer ${JSON.stringify(last)}; host said ${host.output.slice(-5).join(' | ')}`);
    });
    const answered = await call('POST', 'rag/ask', { question: 'Which tool shows the p99 latency of every function?' });
    expect(answered.body.citations[0]).toMatchObject({ n: 1, documentId: name, title: 'Dashboards', chunk: { index: 0 } });
    expect(answered.body.answer).toContain('Grafana shows the p99 latency of every function & the drift scores. [1]');
    // Only the sources the answer cites are listed, each by the number it is cited with.
    const numbers = answered.body.citations.map((c: { n: number }) => c.n);
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(answered.body.answer).toContain(`[${n}]`);
    expect(new Set([...(answered.body.answer as string).matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))).toEqual(new Set(numbers));

    const archive = await call('POST', 'rag/ask', { question: 'When do old partitions move to the archive tier?', k: 3 });
    expect(archive.status, archive.text).toBe(200);
    expect(archive.body.citations[0].documentId).toBe('offline-store');
    expect(archive.body.answer).toMatch(/archive tier after 180 days.*\[1\]/);
    // Citations are best first, with scores.
    const scores = archive.body.citations.map((c: { score: number }) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // A filter narrows retrieval to matching metadata (the sources the answerer reads).
    const filtered = parseEvents((await call('POST', 'rag/ask', { question: 'Where are the features?', filter: { team: 'storage' }, stream: true })).text);
    expect(new Set(filtered[0]?.data.sources.map((c: { documentId: string }) => c.documentId))).toEqual(new Set(['offline-store']));
  });

  it('reads a PDF dropped into the documents container, title and all', async () => {
    const name = `${uniqueName('manuals')}/sizing.pdf`;
    const pdf = textPdf([['Capacity planning for vector search.', 'Each shard holds about 100,000 vectors of 384 dimensions.'], ['Appendix: snapshots every five minutes.']], 'Vector sizing');
    await blobClient().getContainerClient('documents').getBlockBlobClient(name).uploadData(pdf);
    // As above: once keyword search finds the PDF, all of it is in.
    await eventually(async () => {
      const response = await call('POST', 'rag/ask', { question: 'How many vectors does each shard hold?', retrieval: 'keyword' });
      return response.body.citations?.[0]?.documentId === name ? response : undefined;
    }, 20_000, 250);
    const answered = await call('POST', 'rag/ask', { question: 'How many vectors does each shard hold?' });
    expect(answered.body.citations[0]?.documentId).toBe(name);
    expect(answered.body.citations[0]).toMatchObject({ title: 'Vector sizing' });
    expect(answered.body.answer).toContain('Each shard holds about 100,000 vectors of 384 dimensions. [1]');
    const asText = await call('POST', 'rag/documents', { id: 'not-a-pdf', text: 'x', format: 'pdf' });
    expect(asText.status).toBe(400);
    expect(asText.body.error.details[0].field).toBe('format');
  });

  it('says so when nothing supports an answer, with no citations, in every retrieval mode', async () => {
    for (const retrieval of ['fused', 'vector', 'keyword']) {
      // "archive" and "Redis" are in the documents; "Kubernetes" and "autoscaling" are not.
      const question = 'How do I archive Redis with Kubernetes autoscaling?';
      const response = await call('POST', 'rag/ask', { question, retrieval });
      expect(response.status).toBe(200);
      expect(response.body, retrieval).toEqual({ answer: 'I could not find an answer to that in the documents.', citations: [] });
      const events = parseEvents((await call('POST', 'rag/ask', { question, retrieval, stream: true })).text);
      expect(events[0]).toEqual({ event: 'sources', data: { sources: [], support: expect.any(Number) } });
      expect(events.at(-1)).toEqual({ event: 'done', data: { answer: 'I could not find an answer to that in the documents.', citations: [] } });
    }
  });

  it('does nothing for an unchanged document, replaces a changed one, and deletes', async () => {
    const again = await call('POST', 'rag/documents', { id: 'online-store', text: redisDoc, metadata: { team: 'features' } });
    expect(again.body).toMatchObject({ status: 'unchanged', chunks: 2 });
    const changed = await call('POST', 'rag/documents', { id: 'online-store', text: '# Online store\n\nOnline features now live in Valkey clusters.', metadata: { team: 'features' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ status: 'replaced', chunks: 1 });
    const valkey = await call('POST', 'rag/ask', { question: 'Where do online features live now?', k: 5 });
    const fromOnline = valkey.body.citations.filter((c: { documentId: string }) => c.documentId === 'online-store');
    expect(fromOnline.map((c: { chunk: { text: string } }) => c.chunk.text)).toEqual(['Online features now live in Valkey clusters.']);

    const deleted = await call('DELETE', `rag/documents/online-store`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toEqual({ id: 'online-store', chunks: 1 });
    const after = await call('POST', 'rag/ask', { question: 'Valkey clusters', k: 5 });
    expect(after.body.citations.some((c: { documentId: string }) => c.documentId === 'online-store')).toBe(false);
    expect((await call('DELETE', `rag/documents/online-store`)).status).toBe(404);
  });

  it('streams the same answer in pieces as server-sent events', async () => {
    const question = 'When do old partitions move to the archive tier?';
    const whole = await call('POST', 'rag/ask', { question });
    const streamed = await call('POST', 'rag/ask', { question, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    const events = parseEvents(streamed.text);
    // The sources the answerer read come first, numbered; the citations it used come with the whole answer.
    expect(events[0]).toMatchObject({ event: 'sources' });
    expect(events[0]?.data.sources.map((c: { n: number }) => c.n)).toEqual(events[0]?.data.sources.map((_: unknown, i: number) => i + 1));
    expect(events[0]?.data.sources).toEqual(expect.arrayContaining(whole.body.citations));
    const deltas = events.filter((e) => e.event === 'answer').map((e) => e.data.delta as string);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(whole.body.answer);
    expect(events.at(-1)).toEqual({ event: 'done', data: { answer: whole.body.answer, citations: whole.body.citations } });
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['rag/ask', { question: '   ' }, 'question'],
      ['rag/ask', { question: 'x', collection: uniqueName('nothing-here') }, 'collection'],
      ['rag/ask', { question: 'x', k: 0 }, 'k'],
      ['rag/documents', { id: 'big', text: 'word '.repeat(5000) }, 'text'],
      ['rag/documents', { id: 'both', text: 'a', blob: { name: 'x.md' } }, 'text'],
      ['rag/documents', { id: 'bad id!', text: 'a' }, 'id'],
      ['rag/documents', { blob: { name: 'missing/nowhere.md' } }, 'blob'],
    ];
    for (const [path, body, field] of cases) {
      const response = await call('POST', path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}: ${response.text}`).toBe(400);
      expect((response.body.error.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
    }
    expect((await call('POST', 'rag/ask', { question: 'Where is the big document?' })).body.citations.some((c: { documentId: string }) => c.documentId === 'big')).toBe(false);
  });
});

describe('RAG with the Azure OpenAI adapters, against a local API-compatible server', () => {
  let host: HostProcess;
  let openai: OpenAiServer;

  beforeAll(async () => {
    openai = await startOpenAiServer('local-key-456');
    host = await startHostProcess({
      ARBOR_RAG_EMBEDDER: 'azure-openai',
      ARBOR_RAG_ANSWERER: 'azure-openai',
      ARBOR_RAG_DIMENSION: '26',
      ARBOR_RAG_COLLECTION: uniqueName('aoai'),
      AZURE_OPENAI_ENDPOINT: openai.url,
      AZURE_OPENAI_API_KEY: 'local-key-456',
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'embed-deploy',
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'chat-deploy',
    });
  });
  afterAll(async () => {
    await host.stop();
    await openai.stop();
  });

  it('embeds through the embedding deployment and answers through chat completions', async () => {
    const post = (path: string, body: unknown) => fetch(`${host.url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('rag/documents', { id: 'offline', text: parquetDoc })).status).toBe(201);
    const response = await post('rag/ask', { question: 'When do old partitions move to the archive tier?' });
    const body = (await response.json()) as { answer: string; citations: Array<{ documentId: string }> };
    expect(response.status).toBe(200);
    expect(body.citations[0]?.documentId).toBe('offline');
    expect(body.answer).toBe('According to the sources, Offline features are parquet files in blob storage. [1]');
    expect(openai.requests.some((r) => r.path === 'embeddings' && r.deployment === 'embed-deploy')).toBe(true);
    const chat = openai.requests.find((r) => r.path === 'chat/completions');
    expect(chat).toMatchObject({ deployment: 'chat-deploy', body: { stream: true } });
  });

  it('streams each event to the caller as the answer is written, not in one burst at the end', async () => {
    // The chat model stops after its first word until released: a host that buffered the answer
    // would send nothing before the release, and the read below would time out.
    const release = openai.holdChatAfterFirstPiece();
    try {
      const response = await fetch(`${host.url}/api/rag/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'When do old partitions move to the archive tier?', stream: true }),
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBeNull();
      const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
      let received = '';
      while (!/event: answer\n/.test(received)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the stream ended before its first answer event: ${received}`);
        received += value;
      }
      const early = parseEvents(received.slice(0, received.lastIndexOf('\n\n') + 2));
      expect(early.map((e) => e.event)).toEqual(['sources', 'answer']);
      expect(early[1]?.data).toEqual({ delta: 'According ' });
      expect(received).not.toContain('event: done');

      release();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value;
      }
      const events = parseEvents(received);
      expect(events.at(-1)).toEqual({ event: 'done', data: { answer: 'According to the sources, Offline features are parquet files in blob storage. [1]', citations: expect.any(Array) } });
      expect(events.filter((e) => e.event === 'answer').map((e) => e.data.delta).join('')).toBe(events.at(-1)?.data.answer);
    } finally {
      release();
    }
  });
});
