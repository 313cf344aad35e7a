/**
 * bench/invocation: what the local host adds to one HTTP invocation. The fixture app's `echo`
 * function (test/fixtures/app: route parameters, query, a header and the body echoed as JSON)
 * through `node dist/local/main.js`, beside a bare node:http server in its own process that
 * answers the same request with the same JSON, nothing else. Requests go one at a time over a
 * kept-alive connection, alternating between the two in rounds of 200 so that both see the same
 * machine load; p50 and p99 of each, and the host's added p50.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { runMain, withBenchHost } from './support/host.js';
import { percentile } from './support/percentile.js';

const rounds = 10;
const perRound = 200;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

/** The same answer as the echo function, from a server with no framework at all. */
const bareServer = `
const http = require('node:http');
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const url = new URL(request.url, 'http://x');
    const [, , , first, ...rest] = url.pathname.split('/');
    const answer = JSON.stringify({ method: request.method, params: { first, rest: rest.join('/') }, query: Object.fromEntries(url.searchParams), header: request.headers['x-test'] ?? null, body: request.method === 'GET' ? null : body });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'x-test': 'bench', 'content-type': 'application/json' }, body: '{"n":1}' });
  await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

/** bench/support/programming-model-floor in its own process: the library's cost with no HTTP. */
async function programmingModelFloor(): Promise<{ p50: number; p99: number; n: number }> {
  const child = spawn(process.execPath, ['dist/bench/support/programming-model-floor.js', String(rounds * perRound)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, REDIS_KEY_PREFIX: `bench-floor${Date.now()}:` } });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`programming-model-floor exited with ${code}`);
  return JSON.parse(printed.trim().split('\n').pop() as string) as { p50: number; p99: number; n: number };
}

runMain(async () => {
  const floor = await programmingModelFloor();
  const bare = spawn(process.execPath, ['-e', bareServer], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(bare.stdout, 'data')) as [Buffer];
  const barePort = /listening (\d+)/.exec(line.toString())?.[1];
  try {
    await withBenchHost('.arbor/bench-invocation', { ARBOR_APP_ENTRY: 'dist/test/fixtures/app/index.js' }, async (host) => {
      const targets = { host: `${host.url}/api/echo/a/b/c?x=1`, bare: `http://127.0.0.1:${barePort}/api/echo/a/b/c?x=1` };
      const samples: Record<keyof typeof targets, number[]> = { host: [], bare: [] };
      // Warm both (JIT, connection pools) before measuring.
      for (let i = 0; i < 300; i++) for (const url of Object.values(targets)) await timed(url);
      for (let round = 0; round < rounds; round++) {
        for (const name of ['bare', 'host'] as const) for (let i = 0; i < perRound; i++) samples[name].push(await timed(targets[name]));
      }
      const rows = (['bare', 'host'] as const).map((name) => {
        const sorted = [...samples[name]].sort((a, b) => a - b);
        return { name, p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
      });
      const [bareRow, hostRow] = rows as [(typeof rows)[0], (typeof rows)[0]];
      console.log('| server | requests | p50 | p99 |');
      console.log('|---|---|---|---|');
      console.log(`| bare node:http (baseline) | ${bareRow.n} | ${fmt(bareRow.p50)} | ${fmt(bareRow.p99)} |`);
      console.log(`| local host, echo function | ${hostRow.n} | ${fmt(hostRow.p50)} | ${fmt(hostRow.p99)} |`);
      console.log(`| programming model and answer writing alone, in process, no HTTP | ${floor.n} | ${fmt(floor.p50)} | ${fmt(floor.p99)} |`);
      console.log(`\nadded by the host: p50 ${fmt(hostRow.p50 - bareRow.p50)} (${(hostRow.p50 / bareRow.p50).toFixed(2)}x), p99 ${fmt(hostRow.p99 - bareRow.p99)}`);
      console.log(`of which the programming model (@azure/functions building the request, context and response) at least: p50 ${fmt(floor.p50)}; the host's own HTTP handling: about ${fmt(hostRow.p50 - bareRow.p50 - floor.p50)}`);
    });
  } finally {
    bare.kill();
  }
});
