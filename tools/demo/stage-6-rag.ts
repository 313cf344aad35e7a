import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { findAppRoot } from '../../shared/platform/settings.js';
import { DemoError, expectAnswer } from './api.js';
import type { DemoContext } from './context.js';
import { seconds, timed } from './report.js';

export interface RagResult {
  documents: number;
  chunks: number;
  question: string;
  answer: string;
  citations: Array<{ n: number; documentId: string; title?: string }>;
}

export const question = 'What should the analyst do when the drift report flags the amount feature?';

const stored = z.object({ status: z.string(), chunks: z.number().optional() });
const answered = z.object({ answer: z.string(), citations: z.array(z.object({ n: z.number(), documentId: z.string(), title: z.string().optional() })) });

/**
 * Stage 6: the fraud team's runbooks (tools/demo/runbooks/*.md) go into a RAG collection, and a
 * question about what stage 5 found is answered from them, with numbered citations.
 */
export async function askRunbooks(context: DemoContext): Promise<RagResult> {
  const { arbor, names, report } = context;
  const folder = join(findAppRoot(), 'tools', 'demo', 'runbooks');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.md')).sort();
  let chunks = 0;
  const ingested = await timed(async () => {
    for (const file of files) {
      const text = await readFile(join(folder, file), 'utf8');
      const answer = expectAnswer(
        await arbor.call('post-rag-document', { body: { id: file.replace(/\.md$/, ''), text, format: 'markdown', collection: names.runbooks, metadata: { team: 'fraud' } } }),
        [200, 201],
        `POST /api/rag/documents (${file})`,
        stored,
      );
      chunks += answer.chunks ?? 0;
      report.line(`  runbook ${file}: ${answer.status}${answer.chunks === undefined ? '' : `, ${answer.chunks} chunks`}`);
    }
  });
  report.line(`${files.length} runbooks in collection ${names.runbooks} (${seconds(ingested.ms)})`);

  const asked = await timed(async () =>
    expectAnswer(await arbor.call('rag-ask', { body: { question, collection: names.runbooks, k: 4 } }), [200], 'POST /api/rag/ask', answered),
  );
  if (asked.value.citations.length === 0) throw new DemoError(`RAG answered without citations: ${asked.value.answer}`);
  report.line(`Q: ${question}`);
  for (const line of asked.value.answer.split('\n')) report.line(`A: ${line}`);
  for (const c of asked.value.citations) report.line(`  [${c.n}] ${c.documentId}${c.title ? ` (${c.title})` : ''}`);
  report.line(`answered with ${asked.value.citations.length} citation(s) in ${seconds(asked.ms)}`);
  return { documents: files.length, chunks, question, answer: asked.value.answer, citations: asked.value.citations };
}
