/**
 * node dist/tools/rag-eval/support-study.js DETAILS.json
 *
 * Calibrates the no-answer decision (shared/rag/support.ts) offline on what
 * `npm run rag:eval -- python --details FILE --lists` recorded: for each question, the fused
 * sources as ask.ts chooses them, their texts, and the collection's statistics for the
 * question's terms. For each weight of a word the collection never uses, it computes every
 * question's support and, on the tuning half (even lines of the question file), the margin
 * between the answerable questions whose page is among the sources and the unanswerable
 * ones; the threshold is the middle of that gap. The test half (odd lines) then says how
 * many answerable questions that threshold refuses and how many unanswerable ones it lets
 * through. Choose by the tuning margin; report the test.
 */
import { readFile } from 'node:fs/promises';
import { diversified } from '../../shared/rag/diversify.js';
import { fuse, fusionCandidatesPerSource } from '../../shared/rag/fusion.js';
import { minSupport, support } from '../../shared/rag/support.js';
import type { ScoredChunk, SupportInputs } from './run.js';

interface Lists {
  question: string;
  expected: string[];
  vector: ScoredChunk[];
  keyword: ScoredChunk[];
  support?: SupportInputs;
}

const k = 5;

function outcome(l: Lists, absentWeight: number): { found: boolean; value: number } {
  const inputs = l.support as SupportInputs;
  const documentOf = new Map([...l.vector, ...l.keyword].map((c) => [c.id, c.documentId]));
  const depth = k * fusionCandidatesPerSource;
  const sources = diversified(fuse(l.vector.slice(0, depth), l.keyword.slice(0, depth)), k, (id) => documentOf.get(id) as string);
  const found = sources.some((s) => l.expected.includes(documentOf.get(s.id) as string));
  const value = support(inputs.statistics, inputs.terms, sources.map((s) => inputs.texts[s.id] ?? ''), absentWeight);
  return { found, value };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: support-study.js DETAILS.json');
  const report = JSON.parse(await readFile(file, 'utf8')) as Record<string, { lists?: Lists[] }>;
  for (const [corpus, { lists }] of Object.entries(report)) {
    const all = (lists ?? []).filter((l) => l.support);
    if (!all.length) continue;
    const tune = all.filter((_, i) => i % 2 === 0);
    const test = all.filter((_, i) => i % 2 === 1);
    console.log(`\n${corpus}: tune ${tune.filter((l) => l.expected.length).length} answerable + ${tune.filter((l) => !l.expected.length).length} unanswerable (even lines), test ${test.filter((l) => l.expected.length).length} + ${test.filter((l) => !l.expected.length).length} (odd lines); today: weight 3, threshold ${minSupport}\n`);
    console.log('| absent-word weight | tune: highest unanswerable | lowest answerable, page found | margin | threshold (middle) | test: answerable refused | of them, page found | unanswerable let through | test at 0.3: answerable refused | unanswerable let through |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const weight of [1, 1.5, 2, 2.5, 3, 4, 5]) {
      const scoredTune = tune.map((l) => ({ l, ...outcome(l, weight) }));
      const unanswerable = Math.max(...scoredTune.filter((s) => !s.l.expected.length).map((s) => s.value));
      const answerable = Math.min(...scoredTune.filter((s) => s.l.expected.length && s.found).map((s) => s.value));
      const threshold = (unanswerable + answerable) / 2;
      const scoredTest = test.map((l) => ({ l, ...outcome(l, weight) }));
      const refused = (at: number) => scoredTest.filter((s) => s.l.expected.length && s.value < at);
      const through = (at: number) => scoredTest.filter((s) => !s.l.expected.length && s.value >= at).length;
      console.log(
        `| ${weight} | ${unanswerable.toFixed(3)} | ${answerable.toFixed(3)} | ${(answerable - unanswerable).toFixed(3)} | ${threshold.toFixed(3)} | ${refused(threshold).length} | ${refused(threshold).filter((s) => s.found).length} | ${through(threshold)} | ${refused(minSupport).length} | ${through(minSupport)} |`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
