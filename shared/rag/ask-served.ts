import type { z } from 'zod';
import type { Services } from '../platform/services.js';
import { ask, type Answer } from './ask.js';
import { ragModels } from './models.js';
import type { askRequestSchema } from './requests.js';
import { vectorSearchChunks } from './vector-search-chunks.js';

/**
 * A question as every entry point asks it (HTTP and the DocumentService RPC): the models the
 * settings name, vector search for the chunks, and the configured default collection.
 */
export function askAsConfigured(services: Services, body: z.output<typeof askRequestSchema>): Promise<Answer> {
  const { embedder, answerer } = ragModels(services.settings);
  return ask(services, embedder, answerer, vectorSearchChunks(services), {
    question: body.question,
    k: body.k,
    collection: body.collection ?? services.settings.ARBOR_RAG_COLLECTION,
    filter: body.filter,
    retrieval: body.retrieval,
  });
}
