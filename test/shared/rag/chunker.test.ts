import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../shared/rag/chunker.js';
import { htmlToText } from '../../../shared/rag/html.js';
import { sentences } from '../../../shared/rag/sentences.js';

const paragraph = (n: number, words = 30) => Array.from({ length: words }, (_, i) => `word${n}x${i}`).join(' ') + '.';

describe('chunking along a document’s structure', () => {
  it('keeps sections apart, labels chunks with their heading path, and respects the size limit', () => {
    const text = `# Guide\n\nIntro paragraph.\n\n## Install\n\n${paragraph(1)}\n\n${paragraph(2)}\n\n## Use\n\nShort.`;
    const chunks = chunkText(text, { maxChars: 400, overlapChars: 0 });
    expect(chunks.map((c) => c.heading)).toEqual(['Guide', 'Guide > Install', 'Guide > Install', 'Guide > Use']);
    expect(chunks.every((c) => c.text.length <= 400)).toBe(true);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    // No chunk mixes sections.
    expect(chunks[1]?.text).not.toContain('Intro');
    expect(chunks[3]?.text).toBe('Short.');
  });

  it('overlaps consecutive chunks of a section by their last whole sentences', () => {
    const body = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} says something about topic ${i}.`).join(' ');
    const chunks = chunkText(body, { maxChars: 200, overlapChars: 60 });
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = sentences(chunks[i - 1]?.text ?? '').at(-1) as string;
      expect(chunks[i]?.text.startsWith(previousLast)).toBe(true);
    }
    // Every sentence is in some chunk, none is cut.
    for (let i = 0; i < 12; i++) expect(chunks.some((c) => c.text.includes(`Sentence number ${i} says something about topic ${i}.`))).toBe(true);
  });

  it('splits an oversized sentence by words rather than exceeding the limit', () => {
    const chunks = chunkText(paragraph(9, 200), { maxChars: 300, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.text.length <= 300)).toBe(true);
    expect(chunks.map((c) => c.text).join(' ').split(' ')).toHaveLength(200);
  });

  it('reads HTML as headings and paragraphs, dropping scripts and decoding entities', () => {
    const { text, title } = htmlToText('<html><head><title>Caf&eacute; &amp; Co</title><script>alert(1)</script></head><body><h1>Menu</h1><p>Tea &amp; cake.</p><ul><li>One</li><li>Two</li></ul><h2>Hours</h2><p>Open 9&ndash;5.</p></body></html>');
    expect(title).toBe('Café & Co');
    expect(text).toBe('# Menu\n\nTea & cake.\n\n- One\n- Two\n\n## Hours\n\nOpen 9–5.');
    expect(chunkText(text).map((c) => c.heading)).toEqual(['Menu', 'Menu > Hours']);
  });

  it('keeps a list, code and a table whole when they fit, each block on its own lines', () => {
    const text = '# Setup\n\nSteps:\n\n- install\n- run\n\n```\nnpm start\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |';
    expect(chunkText(text).map((c) => c.text)).toEqual(['Steps:\n\n- install\n- run\n\n```\nnpm start\n```\n\n| a | b |\n| 1 | 2 |']);
  });

  it('cuts long code at line ends, each piece fenced', () => {
    const code = Array.from({ length: 60 }, (_, i) => `line_${i} = ${i}  # a comment`).join('\n');
    const chunks = chunkText(`\`\`\`\n${code}\n\`\`\``, { maxChars: 300, overlapChars: 50 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.text.length <= 300 && c.text.startsWith('```\n') && c.text.endsWith('\n```'))).toBe(true);
    expect(chunks.map((c) => c.text.slice(4, -4)).join('\n')).toBe(code);
  });
});
