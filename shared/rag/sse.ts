import type { Answer } from './ask.js';

/**
 * The answer as server-sent events: `citations` first (retrieval is done before the first
 * word), then one `answer` event per piece as the answerer produces it, then `done` with the
 * whole text. An error midway becomes an `error` event: the status line has already gone.
 */
export function serverSentEvents(answer: Answer): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(event('citations', { citations: answer.citations }));
      let text = '';
      try {
        for await (const piece of answer.pieces) {
          text += piece;
          controller.enqueue(event('answer', { delta: piece }));
        }
        controller.enqueue(event('done', { answer: text }));
      } catch (error) {
        controller.enqueue(event('error', { message: error instanceof Error ? error.message : String(error) }));
      }
      controller.close();
    },
  });
}
