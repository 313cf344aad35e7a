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
      let page = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        page += item.str + (item.hasEOL ? '\n' : item.str.endsWith(' ') ? '' : ' ');
      }
      pages.push(page.replace(/[ \t]+\n/g, '\n').trim());
    }
    const info = (await document.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    return { text: pages.filter(Boolean).join('\n\n'), pages: document.numPages, ...(title ? { title } : {}) };
  } finally {
    await document.destroy();
  }
}
