import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../shared/rag/chunker.js';
import { ExtractiveAnswerer } from '../../../shared/rag/extractive-answerer.js';

const collect = async (pieces: AsyncIterable<string>) => {
  let text = '';
  for await (const piece of pieces) text += piece;
  return text;
};

describe('soft line breaks in Markdown and text', () => {
  it('joins the soft line breaks of a paragraph, so a sentence does not end at a source line break', async () => {
    const text = '# Backups\n\nTo take a consistent backup of a running\ndatabase, stop writes first. Then copy\nthe data directory.\n\nRestore is the reverse.';
    expect(chunkText(text).map((c) => c.text)).toEqual(['To take a consistent backup of a running database, stop writes first. Then copy the data directory.\n\nRestore is the reverse.']);
    const answer = await collect(new ExtractiveAnswerer().answer('How do I take a consistent backup of a running database?', [{ n: 1, title: 'Backups', text: chunkText(text)[0]?.text as string }]));
    expect(answer).toBe('To take a consistent backup of a running database, stop writes first. [1]');
  });
});
