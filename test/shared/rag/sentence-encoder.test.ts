import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/platform/settings.js';
import { ragModels } from '../../../shared/rag/models.js';
import { SentenceEncoderEmbedder } from '../../../shared/rag/sentence-encoder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);

describe('the sentence-encoder embedder (Universal Sentence Encoder lite, from the npm package)', () => {
  const embedder = new SentenceEncoderEmbedder(2);

  it('gives unit vectors of 512 dimensions that relate a paraphrase sharing no content word more than an unrelated text', async () => {
    const [question, paraphrase, unrelated] = await embedder.embed([
      'How do I turn a JSON string into a dictionary?',
      'The decoder parses serialized objects into Python mappings.',
      'Our office is closed on public holidays.',
    ]);
    for (const v of [question, paraphrase, unrelated] as Float32Array[]) {
      expect(v.length).toBe(512);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
    expect(dot(question as Float32Array, paraphrase as Float32Array)).toBeGreaterThan(dot(question as Float32Array, unrelated as Float32Array) + 0.05);
  });

  it('embeds a text the same whichever batch it is in, and keeps the order across batches', async () => {
    const texts = ['Threads share one process.', 'Sockets carry bytes.', 'A list is mutable.'];
    const batched = await embedder.embed(texts);
    const alone = await Promise.all(texts.map(async (t) => (await embedder.embed([t]))[0] as Float32Array));
    batched.forEach((v, i) => expect(dot(v, alone[i] as Float32Array)).toBeCloseTo(1, 4));
    expect(await embedder.embed([])).toEqual([]);
  });

  it('is what ARBOR_RAG_EMBEDDER=sentence-encoder selects, whatever ARBOR_RAG_DIMENSION says', () => {
    const settings = parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', ARBOR_RAG_EMBEDDER: 'sentence-encoder', ARBOR_RAG_DIMENSION: '1024' });
    const { embedder } = ragModels(settings);
    expect(embedder).toBeInstanceOf(SentenceEncoderEmbedder);
    expect(embedder.dimension).toBe(512);
  });
});
