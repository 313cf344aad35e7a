/**
 * node dist/tools/rag-eval/fusion-study.js DETAILS.json
 *
 * Ranks fusion methods offline on the lists `npm run rag:eval -- --details FILE --lists`
 * recorded: each answerable question's 40 best chunks by vector search and by keyword search
 * alone, with their raw scores (the first 20 of each are the candidates fused retrieval fuses
 * today; the grid also tries 10 and 40). Methods: chunk-level RRF, RRF summed per document
 * (with the n-th chunk of a document decayed), and score-normalised sums. Prints hit@1/3/5 and MRR
 * over the distinct documents of the 5 sources for each method of a small grid, beside each
 * list alone, per corpus, so the method in shared/rag/fusion.ts is a measured choice. The 5
 * sources are chosen as ask.ts chooses them (diversify.ts: one chunk per document; the grid
 * also tries 2, the earlier cap).
 *
 * A held-out split keeps the choice honest: questions on even lines of the question file
 * (0, 2, 4, ...) tune, those on odd lines test. Choose on the tuning columns; report the test
 * columns.
 */
import { readFile } from 'node:fs/promises';
import { diversified, maxChunksPerDocument } from '../../shared/rag/diversify.js';
import { fuse, type FusionMethod, type ScoredHit } from '../../shared/rag/fusion.js';
import type { ScoredChunk } from './run.js';

interface Lists {
  expected: string[];
  vector: ScoredChunk[];
  keyword: ScoredChunk[];
}

interface Measures {
  hit1: number;
  hit3: number;
  hit5: number;
  mrr: number;
}

function measure(lists: readonly Lists[], rank: (l: Lists) => ScoredHit[], perDocument = maxChunksPerDocument): Measures {
  const out = { hit1: 0, hit3: 0, hit5: 0, mrr: 0 };
  for (const l of lists) {
    const documentOf = new Map([...l.vector, ...l.keyword].map((c) => [c.id, c.documentId]));
    const sources = diversified(rank(l), 5, (id) => documentOf.get(id) as string, perDocument);
    const documents = [...new Set(sources.map((h) => documentOf.get(h.id) as string))];
    const first = documents.findIndex((d) => l.expected.includes(d)) + 1;
    if (first === 1) out.hit1++;
    if (first >= 1 && first <= 3) out.hit3++;
    if (first >= 1) out.hit5++;
    if (first >= 1) out.mrr += 1 / first;
  }
  const n = lists.length || 1;
  return { hit1: out.hit1 / n, hit3: out.hit3 / n, hit5: out.hit5 / n, mrr: out.mrr / n };
}

function documentsOf(l: Lists): (id: string) => string {
  const documentOf = new Map([...l.vector, ...l.keyword].map((c) => [c.id, c.documentId]));
  return (id) => documentOf.get(id) as string;
}

export function fusionGrid(): Array<{ name: string; method: FusionMethod }> {
  const grid: Array<{ name: string; method: FusionMethod }> = [];
  for (const k of [60, 20, 10, 5, 1]) {
    for (const [v, w] of [
      [1, 1],
      [1, 2],
      [2, 1],
      [1, 3],
    ] as const) {
      grid.push({ name: `rrf k=${k} weights ${v}:${w}`, method: { kind: 'rrf', k, vectorWeight: v, keywordWeight: w } });
      for (const decay of [1, 0.5, 0]) {
        grid.push({ name: `rrf per document k=${k} weights ${v}:${w} decay ${decay}`, method: { kind: 'rrf-documents', k, vectorWeight: v, keywordWeight: w, decay } });
      }
    }
  }
  for (const kind of ['max-normalised', 'min-max'] as const) {
    for (const v of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) grid.push({ name: `${kind} ${v}:${(1 - v).toFixed(1)}`, method: { kind, vectorWeight: v, keywordWeight: 1 - v } });
  }
  return grid;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: fusion-study.js DETAILS.json');
  const report = JSON.parse(await readFile(file, 'utf8')) as Record<string, { lists?: Array<Lists & { question: string }> }>;
  const f = (m: Measures) => `${m.hit1.toFixed(3)} | ${m.hit3.toFixed(3)} | ${m.hit5.toFixed(3)} | ${m.mrr.toFixed(3)}`;
  for (const [corpus, { lists }] of Object.entries(report)) {
    const tune = (lists ?? []).filter((l, i) => l.expected.length && i % 2 === 0);
    const test = (lists ?? []).filter((l, i) => l.expected.length && i % 2 === 1);
    if (!tune.length || !test.length) continue;
    console.log(`\n${corpus}: ${tune.length} answerable questions tune (even lines), ${test.length} test (odd lines)\n`);
    console.log('| method | candidates per list | per document | tune hit@1 | hit@3 | hit@5 | MRR | test hit@1 | hit@3 | hit@5 | MRR |\n|---|---|---|---|---|---|---|---|---|---|---|');
    for (const depth of [20, 10, 40]) {
      for (const perDocument of [1, 2]) {
        const rows: Array<[string, (l: Lists) => ScoredHit[]]> = [
          ['vector alone', (l) => l.vector],
          ['keyword alone', (l) => l.keyword],
          ...fusionGrid().map(({ name, method }): [string, (l: Lists) => ScoredHit[]] => [name, (l) => fuse(l.vector.slice(0, depth), l.keyword.slice(0, depth), method, documentsOf(l))]),
        ];
        for (const [name, rank] of rows) console.log(`| ${name} | ${depth} | ${perDocument} | ${f(measure(tune, rank, perDocument))} | ${f(measure(test, rank, perDocument))} |`);
      }
    }
    // Each list reduced to its best chunk per document (of the 4k = 20 candidates ask reads) before fusing, so ranks count documents.
    for (const documents of [5, 10, 20]) {
      const byDocument = (l: Lists, list: ScoredChunk[]) => {
        const documentOf = new Map(list.map((c) => [c.id, c.documentId]));
        return diversified(list.slice(0, 20), documents, (id) => documentOf.get(id) as string, 1);
      };
      // Lists of one chunk per document: summing per document would change nothing.
      for (const { name, method } of fusionGrid().filter(({ method }) => method.kind !== 'rrf-documents')) {
        const rank = (l: Lists) => fuse(byDocument(l, l.vector), byDocument(l, l.keyword), method);
        console.log(`| ${name} | best chunk of the first ${documents} documents | 1 | ${f(measure(tune, rank, 1))} | ${f(measure(test, rank, 1))} |`);
      }
    }
  }
}

if (process.argv[1]?.endsWith("fusion-study.js")) main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
