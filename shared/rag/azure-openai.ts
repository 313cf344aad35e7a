import { DefaultAzureCredential, getBearerTokenProvider } from '@azure/identity';
import { AzureOpenAI } from 'openai';
import type { Answerer, Embedder, Source } from './ports.js';
import { noAnswer } from './ports.js';

export interface AzureOpenAiConfig {
  endpoint: string;
  apiVersion: string;
  /** Absent in Azure: the managed identity gets Entra tokens instead. */
  apiKey?: string | undefined;
  embeddingDeployment?: string | undefined;
  embeddingDimension?: number | undefined;
  chatDeployment?: string | undefined;
}

export function azureOpenAiClient(config: AzureOpenAiConfig): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: config.endpoint,
    apiVersion: config.apiVersion,
    ...(config.apiKey
      ? { apiKey: config.apiKey }
      : { azureADTokenProvider: getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default') }),
    maxRetries: 2,
    timeout: 30_000,
  });
}

/** Embeddings from an Azure OpenAI deployment, in batches of 64 inputs, normalised to unit length. */
export class AzureOpenAiEmbedder implements Embedder {
  readonly name = 'azure-openai';

  constructor(
    private readonly client: AzureOpenAI,
    private readonly deployment: string,
    readonly dimension: number,
  ) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 64) {
      const response = await this.client.embeddings.create({ model: this.deployment, input: texts.slice(i, i + 64) as string[], dimensions: this.dimension });
      for (const item of [...response.data].sort((a, b) => a.index - b.index)) {
        if (item.embedding.length !== this.dimension) throw new Error(`the embedding deployment answered ${item.embedding.length} dimensions, not ${this.dimension}`);
        const vector = Float32Array.from(item.embedding);
        let norm = 0;
        for (const v of vector) norm += v * v;
        norm = Math.sqrt(norm) || 1;
        out.push(vector.map((v) => v / norm));
      }
    }
    return out;
  }
}

export function groundedPrompt(question: string, sources: readonly Source[]): Array<{ role: 'system' | 'user'; content: string }> {
  const numbered = sources.map((s) => `[${s.n}] ${s.title}${s.heading ? ` > ${s.heading}` : ''}\n${s.text}`).join('\n\n');
  return [
    {
      role: 'system',
      content: `Answer only from the numbered sources. Cite every claim with its source number in brackets, like [2]. If the sources do not contain the answer, reply exactly: ${noAnswer} (with no citation)`,
    },
    { role: 'user', content: `Sources:\n\n${numbered}\n\nQuestion: ${question}` },
  ];
}

/** Chat completions with a grounded prompt, streamed as the model writes. */
export class AzureOpenAiAnswerer implements Answerer {
  readonly name = 'azure-openai';

  constructor(
    private readonly client: AzureOpenAI,
    private readonly deployment: string,
  ) {}

  async *answer(question: string, sources: readonly Source[]): AsyncIterable<string> {
    const stream = await this.client.chat.completions.create({ model: this.deployment, messages: groundedPrompt(question, sources), stream: true, temperature: 0 });
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content;
      if (piece) yield piece;
    }
  }
}
