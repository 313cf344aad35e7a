/**
 * npm run rag:eval -- [python|arbor ...] [--details FILE [--lists]]
 *
 * Evaluates RAG through a local host on two corpora (both by default):
 * - python: the Python 3.11 manual (Debian's python3.11-doc, HTML, installed with apt-get when
 *   missing), questions in rag-eval/python-docs.jsonl;
 * - arbor: Arbor's own docs (README.md, docs/*.md, Markdown), questions in rag-eval/questions.jsonl.
 * Each corpus goes into a fresh collection; every question is asked with vector-only,
 * keyword-only and fused retrieval. Reported per mode: hit@1/3/5 over the distinct documents
 * of the k = 5 chunks retrieved, MRR, answerable questions refused, unanswerable ones refused
 * with no citations, answer pieces that are whole sentences, and ingest time.
 * --details writes every question's outcome per mode to FILE; with --lists, also each
 * question's 20 best chunks by vector and by keyword search alone, with their scores, which
 * `node dist/tools/rag-eval/fusion-study.js FILE` ranks fusion methods on.
 * --pages N keeps N documents of a corpus: every page a question expects, then an even spread
 * of the others; --every M asks only the questions on every M-th line (0, M, 2M, ...). Both are
 * for an embedder too slow to ingest the whole manual; say so beside its figures.
 * The host takes its settings from the environment: ARBOR_RAG_EMBEDDER=sentence-encoder
 * evaluates that embedder.
 * Question lines: { "question", "expected": ["library/sqlite3.html", ...] } ([] = no answer).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { runMain, withBenchHost } from '../bench/support/host.js';
import { pythonDocsCorpus } from './rag-eval/python-docs.js';
import { evaluate, formatReport, subset, type CorpusDocument, type EvalReport, type Question } from './rag-eval/run.js';

async function readQuestions(file: string): Promise<Question[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Question);
}

async function arborDocsCorpus(): Promise<CorpusDocument[]> {
  const paths = ['README.md', ...(await readdir('docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return Promise.all(paths.map(async (id) => ({ id, text: await readFile(id, 'utf8'), format: 'markdown' as const })));
}

const corpora = {
  python: { corpus: pythonDocsCorpus, questions: 'rag-eval/python-docs.jsonl', title: 'Python 3.11 manual (python3.11-doc, HTML)' },
  arbor: { corpus: arborDocsCorpus, questions: 'rag-eval/questions.jsonl', title: "Arbor's docs (Markdown)" },
} as const;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const detailsAt = args.indexOf('--details');
  const detailsFile = detailsAt >= 0 ? args[detailsAt + 1] : undefined;
  const wide = args.includes('--lists');
  const pagesAt = args.indexOf('--pages');
  const pages = pagesAt >= 0 ? Number(args[pagesAt + 1]) : undefined;
  const everyAt = args.indexOf('--every');
  const every = everyAt >= 0 ? Number(args[everyAt + 1]) : 1;
  // The file after --details is not a corpus name, whatever it is called.
  const chosen = args.filter((a, i) => a in corpora && (detailsAt < 0 || i !== detailsAt + 1)) as Array<keyof typeof corpora>;
  const names = chosen.length ? chosen : (Object.keys(corpora) as Array<keyof typeof corpora>);
  const reports: Record<string, EvalReport> = {};
  // Documents of the Python manual reach 1 MB; the default 2 MB limit holds them.
  await withBenchHost('.arbor/rag-eval', {}, async (host) => {
    for (const name of names) {
      const { corpus, questions, title } = corpora[name];
      const asked = (await readQuestions(questions)).filter((_, i) => i % every === 0);
      const all = await corpus();
      const documents = pages ? subset(all, asked, pages) : all;
      const report = await evaluate(host, documents, asked, (line) => process.stdout.write(`\r  ${name}: ${line}`.padEnd(40)), wide);
      process.stdout.write('\r'.padEnd(41) + '\r');
      reports[name] = report;
      console.log(`\n${formatReport(title, report)}\n`);
    }
  });
  console.log(`embedder ${process.env.ARBOR_RAG_EMBEDDER ?? 'local'}, answerer ${process.env.ARBOR_RAG_ANSWERER ?? 'extractive'}, ${new Date().toISOString()}`);
  if (detailsFile) await writeFile(detailsFile, JSON.stringify(Object.fromEntries(Object.entries(reports).map(([n, r]) => [n, { details: r.details, lists: r.lists }])), null, 1));
}

runMain(main);
