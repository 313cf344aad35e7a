import type { Settings } from '../platform/settings.js';
import { AzureOpenAiAnswerer, AzureOpenAiEmbedder, azureOpenAiClient } from './azure-openai.js';
import { ExtractiveAnswerer } from './extractive-answerer.js';
import { HashedEmbedder } from './local-embedder.js';
import type { Answerer, Embedder } from './ports.js';
import { SentenceEncoderEmbedder } from './sentence-encoder.js';

export interface RagModels {
  embedder: Embedder;
  answerer: Answerer;
}

let cached: { settings: Settings; models: RagModels } | undefined;

/** The embedder and answerer the settings choose, built once per process. */
export function ragModels(settings: Settings): RagModels {
  if (cached?.settings === settings) return cached.models;
  const usesAzure = settings.ARBOR_RAG_EMBEDDER === 'azure-openai' || settings.ARBOR_RAG_ANSWERER === 'azure-openai';
  const client = usesAzure
    ? azureOpenAiClient({ endpoint: settings.AZURE_OPENAI_ENDPOINT as string, apiVersion: settings.AZURE_OPENAI_API_VERSION, apiKey: settings.AZURE_OPENAI_API_KEY })
    : undefined;
  const models: RagModels = {
    embedder:
      settings.ARBOR_RAG_EMBEDDER === 'azure-openai' && client
        ? new AzureOpenAiEmbedder(client, settings.AZURE_OPENAI_EMBEDDING_DEPLOYMENT as string, settings.ARBOR_RAG_DIMENSION)
        : settings.ARBOR_RAG_EMBEDDER === 'sentence-encoder'
          ? new SentenceEncoderEmbedder()
          : new HashedEmbedder(settings.ARBOR_RAG_DIMENSION),
    answerer: settings.ARBOR_RAG_ANSWERER === 'azure-openai' && client ? new AzureOpenAiAnswerer(client, settings.AZURE_OPENAI_CHAT_DEPLOYMENT as string) : new ExtractiveAnswerer(),
  };
  cached = { settings, models };
  return models;
}
