import { escapeProse, fenceLength, longestBacktickRun, renderBlock, type Block } from './blocks.js';
import { markdownBlocks } from './markdown.js';
import { sentences } from './sentences.js';

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
  blocks: Block[];
}

/** A unit the chunker packs: a whole block, or a sentence (or run of words) of a long one. */
interface Piece {
  kind: 'prose' | 'code' | 'row';
  /** Prose without its list marker; code already fenced. */
  text: string;
  marker?: string;
  /** What goes between this piece and the one before it in a chunk: a space inside a paragraph. */
  separator: string;
}

/** A piece as chunk text: prose that starts a line is escaped where Markdown would read structure into it. */
function rendered(piece: Piece, startsLine: boolean): string {
  if (piece.kind !== 'prose') return piece.text;
  if (piece.marker !== undefined) return `${piece.marker}${piece.text}`;
  return startsLine ? escapeProse(piece.text) : piece.text;
}

function joined(pieces: readonly Piece[]): string {
  return pieces.map((p, i) => (i ? p.separator : '') + rendered(p, i === 0 || p.separator !== ' ')).join('');
}

function renderedLength(piece: Piece, first: boolean): number {
  return (first ? 0 : piece.separator.length) + rendered(piece, first || piece.separator !== ' ').length;
}

function sectionsOf(blocks: readonly Block[]): Section[] {
  const sections: Section[] = [{ blocks: [] }];
  const path: string[] = [];
  for (const block of blocks) {
    if (block.kind === 'heading') {
      path.length = block.level - 1;
      path[block.level - 1] = block.text;
      sections.push({ heading: path.filter(Boolean).join(' > '), blocks: [] });
    } else sections.at(-1)?.blocks.push(block);
  }
  return sections.filter((s) => s.blocks.length);
}

/** Runs of whole words no longer than max; a word longer than max is cut. */
function wordRuns(text: string, max: number): string[] {
  const out: string[] = [];
  let run = '';
  for (let word of text.split(' ')) {
    while (word.length > max) {
      if (run) out.push(run);
      run = '';
      out.push(word.slice(0, max));
      word = word.slice(max);
    }
    if (!word) continue;
    if (run && run.length + 1 + word.length > max) {
      out.push(run);
      run = '';
    }
    run = run ? `${run} ${word}` : word;
  }
  if (run) out.push(run);
  return out;
}

/**
 * The room for code inside one piece. A piece's fence is one backtick longer than the longest run
 * in it, and a piece cut to `room` characters holds a run of at most `room`; so the room shrinks
 * until two such fences, their newlines and a separator's slack fit beside it.
 */
function codeRoom(code: string, max: number): number {
  const longest = longestBacktickRun(code);
  for (let room = max - 10; room > 1; room--) {
    if (2 * fenceLength(Math.min(longest, room)) + 4 + room <= max) return room;
  }
  return 1;
}

/** Lines of code packed into fenced pieces no longer than max. */
function codePieces(code: string, max: number): string[] {
  const budget = codeRoom(code, max);
  const out: string[] = [];
  let lines: string[] = [];
  let length = 0;
  const flush = () => {
    if (lines.length) out.push(renderBlock({ kind: 'code', text: lines.join('\n') }));
    lines = [];
    length = 0;
  };
  for (const line of code.split('\n')) {
    let rest = line;
    do {
      const part = rest.slice(0, budget);
      rest = rest.slice(budget);
      if (length && length + part.length + 1 > budget) flush();
      lines.push(part);
      length += part.length + 1;
    } while (rest);
  }
  flush();
  return out;
}

function tightAfter(previous: Block | undefined, block: Block): boolean {
  if (!previous) return false;
  if (previous.kind === 'row' && block.kind === 'row') return true;
  return previous.kind === 'prose' && block.kind === 'prose' && previous.marker !== undefined && block.marker !== undefined;
}

/** A block as pieces no longer than max: the block, else its sentences, else runs of words. */
function piecesOf(block: Block, previous: Block | undefined, max: number): Piece[] {
  const separator = tightAfter(previous, block) ? '\n' : '\n\n';
  if (block.kind === 'code') {
    const whole = renderBlock(block);
    return (whole.length <= max ? [whole] : codePieces(block.text, max)).map((text, i) => ({ kind: 'code', text, separator: i ? '\n\n' : separator }));
  }
  if (block.kind === 'row') return wordRuns(block.text, max).map((text, i) => ({ kind: 'row', text, separator: i ? ' ' : separator }));
  if (block.kind !== 'prose') return [];
  const marker = block.marker ?? '';
  const escaped = marker ? block.text : escapeProse(block.text);
  if (marker.length + escaped.length <= max) return [{ kind: 'prose', text: block.text, ...(block.marker !== undefined ? { marker: block.marker } : {}), separator }];
  const out: Piece[] = [];
  for (const sentence of sentences(block.text)) {
    // Room for the marker or an escape on the first piece, and for the separator.
    for (const text of sentence.length + marker.length + 1 <= max ? [sentence] : wordRuns(sentence, max - marker.length - 1)) {
      out.push(out.length ? { kind: 'prose', text, separator: ' ' } : { kind: 'prose', text, ...(block.marker !== undefined ? { marker: block.marker } : {}), separator });
    }
  }
  return out;
}

/** The last whole sentences of a chunk's pieces that fit in the overlap, as pieces. */
function carriedOver(pieces: readonly Piece[], overlap: number): Piece[] {
  if (overlap <= 0) return [];
  const kept: Piece[] = [];
  let length = 0;
  for (let p = pieces.length - 1; p >= 0; p--) {
    const piece = pieces[p] as Piece;
    if (piece.kind !== 'prose') break;
    const all = sentences(piece.text);
    let taken = 0;
    let text = '';
    for (let s = all.length - 1; s >= 0; s--) {
      const sentence = all[s] as string;
      // +2: a separator or escape, at most.
      const added = sentence.length + (text ? 1 : 0) + 2;
      if (length + added > overlap) break;
      text = text ? `${sentence} ${text}` : sentence;
      length += added;
      taken++;
    }
    if (!taken) break;
    const whole = taken === all.length;
    kept.unshift({ kind: 'prose', text, ...(whole && piece.marker !== undefined ? { marker: piece.marker } : {}), separator: whole ? piece.separator : ' ' });
    if (!whole) break;
  }
  return kept;
}

/**
 * Splits a document along its structure: sections by heading, then blocks (paragraphs, list
 * items, code, table rows), then sentences of a paragraph too long for a chunk, packing whole
 * pieces into chunks up to maxChars. Consecutive chunks of one section overlap by their last
 * whole sentences (up to overlapChars), so an answer spanning a boundary is whole in one.
 */
export function chunkBlocks(blocks: readonly Block[], options: ChunkOptions = defaultChunkOptions): Chunk[] {
  const chunks: Chunk[] = [];
  const overlap = Math.min(options.overlapChars, options.maxChars / 2);
  for (const section of sectionsOf(blocks)) {
    let parts: Piece[] = [];
    let size = 0;
    let fresh = false; // holds more than the overlap carried from the previous chunk
    const push = () => chunks.push({ index: chunks.length, text: joined(parts), ...(section.heading ? { heading: section.heading } : {}) });
    const restart = (carried: Piece[]) => {
      parts = carried;
      size = parts.reduce((sum, p, i) => sum + renderedLength(p, i === 0), 0);
    };
    section.blocks.forEach((block, b) => {
      for (const piece of piecesOf(block, section.blocks[b - 1], options.maxChars)) {
        if (fresh && size + renderedLength(piece, !parts.length) > options.maxChars) {
          push();
          restart(carriedOver(parts, overlap));
          fresh = false;
        }
        if (parts.length && size + renderedLength(piece, false) > options.maxChars) restart([]);
        size += renderedLength(piece, !parts.length);
        parts.push(piece);
        fresh = true;
      }
    });
    if (fresh) push();
  }
  return chunks;
}

/** Markdown or plain text, chunked. */
export function chunkText(text: string, options: ChunkOptions = defaultChunkOptions): Chunk[] {
  return chunkBlocks(markdownBlocks(text), options);
}
