import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAiAnswerer, AzureOpenAiEmbedder, azureOpenAiClient } from '../../../shared/rag/azure-openai.js';
import { ExtractiveAnswerer } from '../../../shared/rag/extractive-answerer.js';
import { HashedEmbedder } from '../../../shared/rag/local-embedder.js';
import { noAnswer } from '../../../shared/rag/ports.js';
import { startOpenAiServer, type OpenAiServer } from '../../support/openai-server.js';

const collect = async (pieces: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);

describe('the local embedder', () => {
  const embedder = new HashedEmbedder(512);

  it('is deterministic, unit length, and puts related texts closer than unrelated ones', async () => {
    const [a, b, c, again] = await embedder.embed([
      'Materialization copies the newest feature values to the online store',
      'How does materializing features into the online store work?',
      'Grafana dashboards show p99 latency per function',
      'Materialization copies the newest feature values to the online store',
    ]);
    expect([...(again as Float32Array)]).toEqual([...(a as Float32Array)]);
    expect(dot(a as Float32Array, a as Float32Array)).toBeCloseTo(1, 5);
    expect(dot(a as Float32Array, b as Float32Array)).toBeGreaterThan(dot(a as Float32Array, c as Float32Array) + 0.1);
  });
});

describe('the extractive answerer', () => {
  const answerer = new ExtractiveAnswerer();
  const sources = [
    { n: 1, title: 'Redis', text: 'Online features live in Redis. Each entity has one hash. Writes skip older rows.' },
    { n: 2, title: 'Parquet', text: 'Offline features are parquet files in the cool tier. Old partitions move to archive after 180 days.' },
  ];

  it('answers from the best sentences, citing their sources', async () => {
    const answer = (await collect(answerer.answer('When do old partitions move to the archive tier?', sources))).join('');
    expect(answer).toBe('Old partitions move to archive after 180 days. [2]');
  });

  it('says it cannot answer when the sources do not support it, citing nothing', async () => {
    expect(await collect(answerer.answer('What is the capital of Mongolia?', sources))).toEqual([noAnswer]);
  });

  it('answers in whole sentences of prose, citing only the sources it quotes', async () => {
    const manual = [
      { n: 1, title: 'configparser', heading: 'Supported INI File Structure', text: '- Supported INI File Structure\n- Quick Start\n\n```\n[DEFAULT]\nServerAliveInterval = 45\n```' },
      { n: 2, title: 'Unrelated', text: 'Grafana shows latency.' },
      {
        n: 3,
        title: 'configparser',
        heading: 'Quick Start',
        text: 'A configuration file consists of sections, each led by a [section] header, followed by key/value entries. Leading and trailing whitespace is removed from keys and values.',
      },
    ];
    const answer = (await collect(answerer.answer('What is the structure of an INI configuration file with sections?', manual))).join('');
    expect(answer).toBe('A configuration file consists of sections, each led by a [section] header, followed by key/value entries. [3]');
  });
});

describe('the Azure OpenAI adapters, against a local server speaking the same API', () => {
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer('test-key-123');
  });
  afterAll(async () => {
    await server.stop();
  });
  const client = () => azureOpenAiClient({ endpoint: server.url, apiVersion: '2024-10-21', apiKey: 'test-key-123' });

  it('embeds in batches of 64, in order, normalised, through the deployment', async () => {
    const embedder = new AzureOpenAiEmbedder(client(), 'embed-small', 26);
    const texts = Array.from({ length: 70 }, (_, i) => (i % 2 ? 'aaaa' : 'bbbb'));
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(70);
    expect(vectors[0]?.[1]).toBeCloseTo(1, 6); // "bbbb" is all b
    expect(vectors[1]?.[0]).toBeCloseTo(1, 6);
    const calls = server.requests.filter((r) => r.path === 'embeddings');
    expect(calls.map((c) => (c.body.input as string[]).length)).toEqual([64, 6]);
    expect(calls[0]).toMatchObject({ deployment: 'embed-small', apiVersion: '2024-10-21', body: { dimensions: 26 } });
  });

  it('streams a grounded chat answer in pieces, with the numbered sources in the prompt', async () => {
    const answerer = new AzureOpenAiAnswerer(client(), 'chat-4o');
    const pieces = await collect(answerer.answer('Where do online features live?', [{ n: 1, title: 'Redis', text: 'Online features live in Redis. Each entity has one hash.' }]));
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('According to the sources, Online features live in Redis. [1]');
    const chat = server.requests.find((r) => r.path === 'chat/completions');
    expect(chat?.deployment).toBe('chat-4o');
    expect(JSON.stringify(chat?.body.messages)).toContain('[1] Redis');
  });

  it('fails clearly with a wrong key', async () => {
    const embedder = new AzureOpenAiEmbedder(azureOpenAiClient({ endpoint: server.url, apiVersion: '2024-10-21', apiKey: 'wrong' }), 'embed-small', 26);
    await expect(embedder.embed(['x'])).rejects.toThrow(/401|Access denied/);
  });
});
