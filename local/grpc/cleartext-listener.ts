import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export type CleartextHandler = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => void;

export interface CleartextListener {
  port: number;
  /** Stops accepting, lets open requests end, and cuts what is still open after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** A connection that sends nothing to decide by is closed after this long (the chosen server's own timeouts apply after). */
const decisionTimeoutMs = 30_000;

/** What an HTTP/2 client with prior knowledge sends first (RFC 9113 §3.4); no HTTP/1.x request starts with "PRI ". */
const http2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const decidingBytes = 4;

/**
 * One cleartext port for HTTP/2 and HTTP/1.1. gRPC clients speak HTTP/2 with prior knowledge
 * (h2c); browsers and fetch() speak gRPC-Web and Connect over HTTP/1.1, and without TLS there
 * is no ALPN to choose between them (Node's `allowHTTP1` works on a TLS server only). So each
 * connection's first bytes decide: the HTTP/2 preface goes to an HTTP/2 server, anything else
 * to an HTTP/1.1 one, both answering with the same handler. The bytes read to decide are put
 * back on the socket before the chosen server reads it.
 */
export async function listenCleartext(handler: CleartextHandler, host: string, port: number, options: { requestTimeoutMs: number }): Promise<CleartextListener> {
  const http2 = createHttp2Server(handler);
  // A long client stream (an Upload) must not be cut by HTTP/1.1's default 5-minute request timeout.
  const http1 = createHttp1Server({ requestTimeout: options.requestTimeoutMs }, handler);
  const sessions = new Set<Http2Session>();
  http2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const listener = createNetServer((socket) => {
    sockets.add(socket);
    let seen = Buffer.alloc(0);
    const undecided = setTimeout(() => socket.destroy(), decisionTimeoutMs);
    socket.once('close', () => {
      sockets.delete(socket);
      clearTimeout(undecided);
    });
    const decide = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const prefix = seen.subarray(0, decidingBytes);
      if (seen.length < decidingBytes && http2Preface.subarray(0, seen.length).equals(prefix)) return;
      clearTimeout(undecided);
      socket.off('data', decide);
      socket.pause();
      socket.unshift(seen);
      if (http2Preface.subarray(0, decidingBytes).equals(prefix)) {
        // The HTTP/2 session reads what is buffered on the socket itself; resuming here would hand it to no one.
        http2.emit('connection', socket);
      } else {
        http1.emit('connection', socket);
        // The HTTP/1.1 parser listens for 'data', which a paused socket does not emit.
        socket.resume();
      }
    };
    socket.on('data', decide);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host, () => resolve());
  });
  return {
    port: (listener.address() as AddressInfo).port,
    close(graceMs) {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // Idle keep-alive connections would hold close() open: HTTP/2 sessions get GOAWAY, idle HTTP/1.1 connections are closed.
      for (const session of sessions) session.close();
      http1.closeIdleConnections();
      const grace = setTimeout(() => sockets.forEach((socket) => socket.destroy()), graceMs);
      return closed.finally(() => clearTimeout(grace));
    },
  };
}
