import { sentences } from './text.js';

export interface Chunk {
  index: number;
  text: string;
  /** The heading path the chunk sits under ("Deploy > Parameters"), if any. */
  heading?: string;
}

export interface ChunkOptions {
  /** Upper bound of a chunk's text, in characters. */
  maxChars: number;
  /** Text carried over from the end of the previous chunk of the same section, at most. */
  overlapChars: number;
}

export const defaultChunkOptions: ChunkOptions = { maxChars: 1_000, overlapChars: 150 };

interface Section {
  heading?: string;
  paragraphs: string[];
}

/** Markdown-style headings split sections; blank lines split paragraphs. */
function sectionsOf(text: string): Section[] {
  const sections: Section[] = [{ paragraphs: [] }];
  const path: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    const joined = paragraph.join('\n').trim();
    if (joined) sections.at(-1)?.paragraphs.push(joined);
    paragraph = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      path.length = level - 1;
      path[level - 1] = (heading[2] as string).trim();
      sections.push({ heading: path.filter(Boolean).join(' > '), paragraphs: [] });
    } else if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  return sections.filter((s) => s.paragraphs.length);
}

/** Pieces no longer than max: the paragraph, else its sentences, else runs of words. */
function pieces(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const out: string[] = [];
  for (const sentence of sentences(paragraph)) {
    if (sentence.length <= max) {
      out.push(sentence);
      continue;
    }
    let run = '';
    for (const word of sentence.split(/\s+/)) {
      if (run && run.length + 1 + word.length > max) {
        out.push(run);
        run = '';
      }
      run = run ? `${run} ${word}` : word.slice(0, max);
    }
    if (run) out.push(run);
  }
  return out;
}

/** The last whole sentences of a chunk that fit in the overlap. */
function tail(text: string, overlap: number): string {
  if (overlap <= 0) return '';
  const kept: string[] = [];
  let length = 0;
  for (const sentence of sentences(text).reverse()) {
    if (length + sentence.length + 1 > overlap) break;
    kept.unshift(sentence);
    length += sentence.length + 1;
  }
  return kept.join(' ');
}

/**
 * Splits a document along its structure: sections by heading, then paragraphs, then sentences,
 * packing whole pieces into chunks up to maxChars. Consecutive chunks of one section overlap
 * by their last sentences (up to overlapChars), so an answer spanning a boundary is whole in one.
 */
export function chunkText(text: string, options: ChunkOptions = defaultChunkOptions): Chunk[] {
  const chunks: Chunk[] = [];
  const overlap = Math.min(options.overlapChars, options.maxChars / 2);
  for (const section of sectionsOf(text)) {
    let parts: string[] = [];
    let length = 0;
    let fresh = false; // holds more than the overlap carried from the previous chunk
    const push = () => chunks.push({ index: chunks.length, text: parts.join('\n\n'), ...(section.heading ? { heading: section.heading } : {}) });
    for (const piece of section.paragraphs.flatMap((p) => pieces(p, options.maxChars))) {
      if (fresh && length + piece.length + 2 > options.maxChars) {
        push();
        const carried = tail(parts.join('\n\n'), overlap);
        parts = carried ? [carried] : [];
        length = carried.length;
        fresh = false;
      }
      if (length + piece.length + 2 > options.maxChars) {
        parts = [];
        length = 0;
      }
      parts.push(piece);
      length += piece.length + 2;
      fresh = true;
    }
    if (fresh) push();
  }
  return chunks;
}
