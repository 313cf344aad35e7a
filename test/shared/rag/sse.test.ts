import { describe, expect, it } from 'vitest';
import type { Answer } from '../../../shared/rag/ask.js';
import { serverSentEvents } from '../../../shared/rag/sse.js';

/** An answer of numbered pieces that records how far its producer got and whether it was stopped. */
function countingAnswer(total: number) {
  const seen = { produced: 0, finished: false, stopped: false };
  async function* pieces(): AsyncGenerator<string> {
    try {
      for (let i = 0; i < total; i++) {
        seen.produced++;
        yield `w${i} `;
      }
      seen.finished = true;
    } finally {
      if (!seen.finished) seen.stopped = true;
    }
  }
  const answer: Answer = { sources: [], support: 1, pieces: pieces(), citations: [] };
  return { answer, seen };
}

const decode = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

describe('server-sent events of an answer', () => {
  it('sends sources, each piece and done, in order', async () => {
    const { answer } = countingAnswer(3);
    let text = '';
    for await (const chunk of serverSentEvents(answer)) text += decode(chunk);
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['sources', 'answer', 'answer', 'answer', 'done']);
    expect(text).toContain('data: {"answer":"w0 w1 w2 ","citations":[]}');
  });

  it('stops the answerer when the caller cancels, instead of producing the rest', async () => {
    const { answer, seen } = countingAnswer(1000);
    const reader = serverSentEvents(answer).getReader();
    expect(decode((await reader.read()).value)).toMatch(/^event: sources\n/);
    expect(decode((await reader.read()).value)).toBe('event: answer\ndata: {"delta":"w0 "}\n\n');
    await reader.cancel();
    expect(seen.stopped).toBe(true);
    expect(seen.produced).toBeLessThanOrEqual(2);
  });

  it('turns a failure midway into an error event after what was sent', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'first ';
      throw new Error('model went away');
    }
    let text = '';
    for await (const chunk of serverSentEvents({ sources: [], support: 1, pieces: failing(), citations: [] })) text += decode(chunk);
    expect([...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(['sources', 'answer', 'error']);
    expect(text).toContain('"message":"model went away"');
  });
});
