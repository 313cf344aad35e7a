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
  async function* events(): AsyncGenerator<Uint8Array> {
    yield event('sources', { sources: answer.sources, support: answer.support });
    let text = '';
    try {
      for await (const piece of answer.pieces) {
        text += piece;
        yield event('answer', { delta: piece });
      }
      yield event('done', { answer: text, citations: answer.citations });
    } catch (error) {
      yield event('error', { message: error instanceof Error ? error.message : String(error) });
    }
  }
  // Pulled one event at a time, so a caller that goes away stops the answerer at its next piece.
  const pending = events();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await pending.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await pending.return(undefined);
    },
  });
}
