import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking the Azure OpenAI data-plane API the `openai` package calls:
 * `POST /openai/deployments/{deployment}/embeddings` and `.../chat/completions` (with SSE
 * streaming), `api-key` auth. Its "models" are simple and deterministic: an embedding counts
 * letters (a-z) folded into the requested dimensions; a chat answer quotes the first sentence of
 * source [1] of the prompt, word by word.
 */
export interface OpenAiServer {
  url: string;
  /**
   * Holds every streamed chat answer after its first piece until the returned release is
   * called: a test can see what reaches its caller while the answer is still being written.
   */
  holdChatAfterFirstPiece(): () => void;
  requests: Array<{ path: string; deployment: string; apiVersion: string | null; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
}

function letterEmbedding(text: string, dimension: number): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const char of text.toLowerCase()) {
    const code = char.charCodeAt(0) - 97;
    if (code >= 0 && code < 26) vector[code % dimension] = (vector[code % dimension] as number) + 1;
  }
  return vector;
}

export async function startOpenAiServer(apiKey: string): Promise<OpenAiServer> {
  const requests: OpenAiServer['requests'] = [];
  let hold: Promise<void> | undefined;
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const match = /^\/openai\/deployments\/([^/]+)\/(embeddings|chat\/completions)$/.exec(url.pathname);
      if (request.method !== 'POST' || !match) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NotFound', message: 'no such route' } }));
        return;
      }
      if (request.headers['api-key'] !== apiKey) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: '401', message: 'Access denied due to invalid subscription key.' } }));
        return;
      }
      const body = await readJson(request);
      requests.push({ path: match[2] as string, deployment: match[1] as string, apiVersion: url.searchParams.get('api-version'), body });
      if (match[2] === 'embeddings') {
        const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
        const dimension = Number(body.dimensions ?? 26);
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            object: 'list',
            model: match[1],
            // The SDK asks for base64 (float32, little-endian) unless told otherwise, as the real API allows.
            data: inputs.map((input, index) => {
              const values = letterEmbedding(input, dimension);
              const embedding = body.encoding_format === 'base64' ? Buffer.from(Float32Array.from(values).buffer).toString('base64') : values;
              return { object: 'embedding', index, embedding };
            }),
            usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
          }),
        );
        return;
      }
      const messages = body.messages as Array<{ role: string; content: string }>;
      const prompt = messages.at(-1)?.content ?? '';
      const source = /\[1\][^\n]*\n([^\n]+)/.exec(prompt)?.[1] ?? '';
      const answer = source ? `According to the sources, ${source.split(/(?<=\.)\s/)[0]} [1]` : 'I could not find an answer to that in the documents.';
      const base = { id: 'chatcmpl-local', object: 'chat.completion.chunk', created: 0, model: match[1] };
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pieces = answer.split(/(?<= )/);
      for (const [index, piece] of pieces.entries()) {
        if (index === 1 && hold) await hold;
        response.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      }
      response.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      response.end('data: [DONE]\n\n');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    holdChatAfterFirstPiece() {
      let release = () => {};
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
