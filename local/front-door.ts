import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookPath } from './durable/client-endpoints.js';
import { hostError, sendJson } from './http/server.js';

/** The answer header naming the instance that served a request (its index). */
export const instanceHeader = 'x-arbor-instance';

/**
 * Paths only the first instance serves: the durable client's REST API (it owns the task hub)
 * and the host's admin API (it runs the timers, so its view lists their next runs).
 */
export function pinnedToOwner(path: string): boolean {
  return path.startsWith(webhookPath) || path.startsWith('/admin/');
}

/** Headers of one connection, which a proxy does not pass on (RFC 9110 section 7.6.1). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()));
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}

interface Target {
  index: number;
  host: string;
  port: number;
  agent: Agent;
  /** Requests sent and not yet answered in full: the spreading's measure of load. */
  outstanding: number;
  up: boolean;
}

/**
 * Picks the instance with the fewest requests outstanding; ties go round robin, so an idle pool
 * still alternates. Pinned paths go to instance 0 whatever its load.
 */
export class Spreader {
  private next = 0;
  constructor(readonly targets: ReadonlyArray<{ index: number; outstanding: number; up: boolean }>) {}

  pick(path: string): number | undefined {
    if (pinnedToOwner(path)) return this.targets[0]?.up ? 0 : undefined;
    let best: number | undefined;
    const count = this.targets.length;
    for (let step = 0; step < count; step++) {
      const i = (this.next + step) % count;
      const target = this.targets[i];
      if (!target?.up) continue;
      if (best === undefined || target.outstanding < (this.targets[best]?.outstanding ?? Infinity)) best = i;
    }
    if (best !== undefined) this.next = (best + 1) % count;
    return best;
  }
}

export interface FrontDoor {
  url: string;
  server: Server;
  /** Starts spreading requests over these instances (until then every request is answered 503). */
  setInstances(urls: readonly string[]): void;
  /** Stops routing to an instance that has gone. */
  markDown(index: number): void;
  stop(): Promise<void>;
}

/**
 * The loopback front door in front of N host processes, as Azure's front end spreads requests
 * over a Flex Consumption app's instances. Bodies stream through both ways (server-sent events
 * included); each instance has its own keep-alive pool. It listens before the instances exist,
 * so they can be told its address (ARBOR_SELF_URL), and answers 503 until they are up.
 */
export async function startFrontDoor(options: { port: number; host?: string }): Promise<FrontDoor> {
  let targets: Target[] = [];
  let spreader = new Spreader(targets);

  const proxy = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const chosen = targets.length ? spreader.pick(path) : undefined;
    const target = chosen === undefined ? undefined : targets[chosen];
    if (!target) {
      const message = targets.length ? 'no instance is up to serve this request' : 'the instances are starting; try again';
      sendJson(response, 503, hostError(targets.length ? 'instance_unavailable' : 'starting', message));
      request.resume();
      return;
    }
    target.outstanding++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      target.outstanding--;
    };
    const upstream = httpRequest({
      host: target.host,
      port: target.port,
      method: request.method,
      path: request.url,
      // The Host header passes unchanged: URLs the app builds from it (job status links) name the front door.
      headers: { ...endToEnd(request.headers), 'x-forwarded-for': request.socket.remoteAddress ?? '127.0.0.1', 'x-forwarded-proto': 'http' },
      agent: target.agent,
    });
    upstream.on('response', (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, { ...endToEnd(answer.headers), [instanceHeader]: String(target.index) });
      // Server-sent events must not wait in a buffer.
      response.flushHeaders();
      answer.pipe(response);
      answer.once('end', settle);
      answer.once('error', () => response.destroy());
    });
    upstream.on('error', (error) => {
      settle();
      if (!response.headersSent) {
        sendJson(response, 502, hostError('instance_unavailable', `instance ${target.index} did not answer: ${error.message}`), { [instanceHeader]: String(target.index) });
      } else response.destroy(error);
    });
    // A caller that hangs up cancels the request upstream too (a stream's producer stops).
    response.once('close', () => {
      settle();
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, proxy);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    setInstances(urls) {
      targets = urls.map((url, index) => {
        const parsed = new URL(url);
        return { index, host: parsed.hostname, port: Number(parsed.port), agent: new Agent({ keepAlive: true, maxSockets: 256 }), outstanding: 0, up: true };
      });
      spreader = new Spreader(targets);
    },
    markDown(index) {
      const target = targets[index];
      if (target) target.up = false;
    },
    async stop() {
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams still open after a moment are cut, so stopping never hangs on a watcher.
      const timer = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(timer);
      for (const target of targets) target.agent.destroy();
    },
  };
}
