import type { Command } from 'commander';
import { operationRoutes } from '../../client/api-types.js';
import type { Citation } from '../../shared/rag/ask.js';
import { apiFailure, CliError, printJson, resolveSettings, type GlobalOptions } from '../context.js';
import { say } from '../output.js';

/** One server-sent event: its name and its JSON data. */
interface Event {
  event: string;
  data: unknown;
}

/**
 * The events of a text/event-stream body as they arrive (WHATWG "server-sent events": blocks
 * separated by a blank line, `event:` and `data:` fields). The typed client reads bodies whole,
 * so the stream is read here.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<Event> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}

export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('Asks a question of the RAG documents; the answer streams as it is written, then its citations')
    .argument('<question>')
    .option('--k <n>', 'chunks to retrieve', (value: string) => {
      const k = Number(value);
      if (!Number.isInteger(k) || k < 1) throw new CliError(`--k takes a whole number, not "${value}"`, 2);
      return k;
    })
    .option('--collection <name>', 'the collection to ask (default: the RAG collection)')
    .action(async (question: string, options: { k?: number; collection?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { url, key } = resolveSettings(globals);
      const body = { question, stream: true, ...(options.k ? { k: options.k } : {}), ...(options.collection ? { collection: options.collection } : {}) };
      const response = await fetch(`${url.replace(/\/+$/, '')}/api${operationRoutes['rag-ask'].path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
        body: JSON.stringify(body),
      });
      if (response.status !== 200 || !response.body) {
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the status says it.
        }
        throw apiFailure('asking', { status: response.status, body: parsed });
      }
      let answer = '';
      let citations: Citation[] = [];
      for await (const { event, data } of readEvents(response.body)) {
        if (event === 'answer') {
          const delta = (data as { delta: string }).delta;
          answer += delta;
          if (!globals.json) process.stdout.write(delta);
        } else if (event === 'done') {
          citations = (data as { citations: Citation[] }).citations;
        } else if (event === 'error') {
          if (!globals.json) say();
          throw new CliError(`the answer stopped: ${(data as { message: string }).message}`);
        }
      }
      if (globals.json) return printJson({ answer, citations });
      say();
      if (citations.length) say();
      for (const citation of citations) say(`[${citation.n}] ${citation.title}${citation.chunk.heading ? ` / ${citation.chunk.heading}` : ''} (${citation.documentId}, score ${citation.score.toFixed(3)})`);
    });
}
