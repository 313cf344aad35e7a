import type { Answer } from './ask.js';

/**
 * The answer as server-sent events: `sources` first (the numbered chunks the answerer reads;
 * retrieval is done before the first word), then one `answer` event per piece as the answerer
 * produces it, then `done` with the whole text and the citations it used (none for the
 * no-answer sentence). An error midway becomes an `error` event: the status line has gone.
 */
export function serverSentEvents(answer: Answer): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(event('sources', { sources: answer.sources, support: answer.support }));
      let text = '';
      try {
        for await (const piece of answer.pieces) {
          text += piece;
          controller.enqueue(event('answer', { delta: piece }));
        }
        controller.enqueue(event('done', { answer: text, citations: answer.citations }));
      } catch (error) {
        controller.enqueue(event('error', { message: error instanceof Error ? error.message : String(error) }));
      }
      controller.close();
    },
  });
}
