import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that counts calls per path and can be told to fail a path: the
 * side effect pipeline tests count, reached by real `http.call` steps.
 */
export interface CountingServer {
  url: string;
  calls(path: string): number;
  /** Every request it received, whatever its path. */
  total(): number;
  /** Fail the next `times` calls to a path with a 500 (Infinity: until told otherwise). */
  /** The next `times` calls to path answer `status` (500 unless told). */
  failNext(path: string, times: number, status?: number): void;
  stop(): Promise<void>;
}

export async function startCountingServer(): Promise<CountingServer> {
  const counts = new Map<string, number>();
  const failures = new Map<string, number>();
  const failureStatus = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const remaining = failures.get(path) ?? 0;
    if (remaining > 0) {
      failures.set(path, remaining - 1);
      response.writeHead(failureStatus.get(path) ?? 500, { 'content-type': 'application/json' }).end('{"error":"told to fail"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, call: counts.get(path) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (path) => counts.get(path) ?? 0,
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    failNext: (path, times, status = 500) => {
      failures.set(path, times);
      failureStatus.set(path, status);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
