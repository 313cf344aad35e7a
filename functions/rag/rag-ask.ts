import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { ask } from '../../shared/rag/ask.js';
import { ragModels } from '../../shared/rag/models.js';
import { askRequestSchema } from '../../shared/rag/requests.js';
import { serverSentEvents } from '../../shared/rag/sse.js';
import { vectorSearchChunks } from '../../shared/rag/vector-search-chunks.js';

/** Answers from the documents with numbered citations; `stream: true` sends server-sent events as the answer is produced. */
app.http('rag-ask', {
  methods: ['POST'],
  route: 'rag/ask',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, askRequestSchema);
    const services = getServices();
    const { embedder, answerer } = ragModels(services.settings);
    const answer = await ask(services, embedder, answerer, vectorSearchChunks(services), {
      question: body.question,
      k: body.k,
      collection: body.collection ?? services.settings.ARBOR_RAG_COLLECTION,
      filter: body.filter,
      retrieval: body.retrieval,
    });
    if (body.stream) {
      return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: serverSentEvents(answer) };
    }
    let text = '';
    for await (const piece of answer.pieces) text += piece;
    return json(200, { answer: text, citations: answer.citations });
  }),
});
