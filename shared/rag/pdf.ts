import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * PDF text through Mozilla's pdf.js (pdfjs-dist, legacy build for Node): pages in order,
 * lines as pdf.js marks them, a blank line between pages so the chunker sees paragraphs.
 * Loaded only when a PDF arrives: it is a large module.
 */
export async function pdfToText(bytes: Uint8Array): Promise<{ text: string; title?: string; pages: number }> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fonts = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts/');
  const document = await getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: pathToFileURL(fonts).href,
    isEvalSupported: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const content = await (await document.getPage(n)).getTextContent();
      pages.push(pageText(content.items.flatMap((item) => ('str' in item ? [{ str: item.str, hasEOL: item.hasEOL }] : []))));
    }
    const info = (await document.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    return { text: pages.filter(Boolean).join('\n\n'), pages: document.numPages, ...(title ? { title } : {}) };
  } finally {
    await document.destroy();
  }
}

/**
 * A page's text from pdf.js's text items: items joined by a space unless one ends with one,
 * lines where pdf.js marks an end of line, trailing spaces of each line dropped. Lines inside
 * a page are soft breaks to the chunker (Markdown rules), so a sentence runs across them.
 * Loops only: `/[ \t]+\n/g`, used here before, is quadratic on a long run of spaces.
 */
export function pageText(items: ReadonlyArray<{ str: string; hasEOL: boolean }>): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    line += item.str;
    if (item.hasEOL) {
      lines.push(line.trimEnd());
      line = '';
    } else if (!item.str.endsWith(' ')) line += ' ';
  }
  lines.push(line.trimEnd());
  return lines.join('\n').trim();
}
