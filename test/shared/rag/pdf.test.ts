import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../shared/rag/chunker.js';
import { pdfToText } from '../../../shared/rag/pdf.js';
import { textPdf } from '../../support/pdf-fixture.js';

describe('PDF text through pdf.js', () => {
  it('reads every page in order, lines as soft breaks, pages as paragraphs, and the title', async () => {
    const pdf = textPdf([['Capacity planning.', 'Shards hold 100,000 vectors each.'], ['Second page (appendix).']], 'Vector sizing');
    const { text, title, pages } = await pdfToText(pdf);
    expect(pages).toBe(2);
    expect(title).toBe('Vector sizing');
    expect(text).toBe('Capacity planning.\nShards hold 100,000 vectors each.\n\nSecond page (appendix).');
    // A PDF breaks lines where the page is full, not where sentences end: the chunker joins them.
    expect(chunkText(text).map((c) => c.text)).toEqual(['Capacity planning. Shards hold 100,000 vectors each.\n\nSecond page (appendix).']);
  });

  it('fails on bytes that are not a PDF', async () => {
    await expect(pdfToText(Buffer.from('not a pdf at all'))).rejects.toThrow();
  });
});
