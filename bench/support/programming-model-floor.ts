/**
 * The programming model's own cost per invocation, with no HTTP: run as a child process by
 * bench/invocation. Loads the fixture app as the host does (the host's core module installed
 * first), then invokes its `echo` function through the same path the host's HTTP server uses
 * (`invokeCaptured`: the library builds the HttpRequest and context, runs hooks and the handler)
 * and writes the answer with the host's `writeHttpResult` into a sink that keeps the status and
 * body instead of a socket. Prints `{ p50, p99, n }` in milliseconds as one JSON line.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ServerResponse } from 'node:http';
import { writeHttpResult } from '../../local/http/http-result.js';
import { buildHttpRoutes } from '../../local/http/server.js';
import { CoreApi } from '../../local/worker/core-api.js';
import { installCoreModule } from '../../local/worker/install-core-module.js';
import { invokeCaptured } from '../../local/worker/invoke.js';

const calls = Number(process.argv[2] ?? 2_000);
const api = new CoreApi();
installCoreModule(api);
await import(pathToFileURL(join(process.cwd(), 'dist', 'test', 'fixtures', 'app', 'index.js')).href);
const echo = buildHttpRoutes(api.functions.values()).find((route) => route.fn.metadata.name === 'echo');
if (!echo) throw new Error('the fixture app has no echo function');

/** What a socket would have been sent: enough to check the answer, nothing written anywhere. */
function sink(): { response: ServerResponse; answer: () => { status: number; body: string } } {
  let status = 0;
  let body = '';
  const response = {
    writeHead(code: number) {
      status = code;
      return response;
    },
    end(chunk?: Buffer) {
      body = chunk ? chunk.toString() : '';
      return response;
    },
  };
  return { response: response as unknown as ServerResponse, answer: () => ({ status, body }) };
}

async function once(): Promise<number> {
  const started = performance.now();
  const http = {
    method: 'POST',
    url: 'http://127.0.0.1/api/echo/a/b/c?x=1',
    headers: { 'x-test': 'bench', 'content-type': 'application/json', 'content-length': '7', host: '127.0.0.1' },
    query: { x: '1' },
    params: { first: 'a', rest: 'b/c' },
    body: { bytes: Buffer.from('{"n":1}') },
  };
  const out = sink();
  await invokeCaptured(api, echo!.fn, { inputData: [{ name: echo!.triggerName, data: { http } }], triggerMetadata: {} }, () => {}, undefined, (result) => writeHttpResult(out.response, result));
  const elapsed = performance.now() - started;
  const { status, body } = out.answer();
  if (status !== 200 || !body.includes('"rest":"b/c"')) throw new Error(`echo answered ${status} ${body}`);
  return elapsed;
}

for (let i = 0; i < 500; i++) await once();
const samples: number[] = [];
for (let i = 0; i < calls; i++) samples.push(await once());
samples.sort((a, b) => a - b);
const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] as number;
console.log(JSON.stringify({ p50: at(0.5), p99: at(0.99), n: samples.length }));
process.exit(0);
