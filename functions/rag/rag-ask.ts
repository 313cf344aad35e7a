import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { askAsConfigured } from '../../shared/rag/ask-served.js';
import { askRequestSchema } from '../../shared/rag/requests.js';
import { serverSentEvents } from '../../shared/rag/sse.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const askAnswer = z.object({ answer: z.string(), citations: z.array(z.record(z.string(), z.unknown())) });

describeRoute('rag-ask', [
  {
    method: 'POST',
    path: 'rag/ask',
    summary: 'Answers from the documents with numbered citations',
    body: askRequestSchema,
    responses: { 200: { description: 'The answer; server-sent events with stream: true', content: { 'application/json': askAnswer, 'text/event-stream': 'text' } } },
  },
]);

/** Answers from the documents with numbered citations; `stream: true` sends server-sent events as the answer is produced. */
app.http('rag-ask', {
  methods: ['POST'],
  route: 'rag/ask',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, askRequestSchema);
    const answer = await askAsConfigured(getServices(), body);
    if (body.stream) {
      return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: serverSentEvents(answer) };
    }
    let text = '';
    for await (const piece of answer.pieces) text += piece;
    return json(200, { answer: text, citations: answer.citations });
  }),
});
