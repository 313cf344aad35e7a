import { connect as connectHttp2 } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenCleartext, type CleartextListener } from '../../../local/grpc/cleartext-listener.js';

/**
 * One port, two protocols: what decides is the first bytes of a connection, which may arrive
 * in pieces. Driven with raw sockets, so the pieces are the test's choice.
 */
let listener: CleartextListener;

beforeAll(async () => {
  listener = await listenCleartext((request, response) => response.end(`HTTP/${request.httpVersion} ${request.url}`), '127.0.0.1', 0, { requestTimeoutMs: 10_000 });
});
afterAll(async () => {
  await listener.close(1_000);
});

function rawExchange(pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(listener.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.once('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        // Each piece its own segment: wait until it has left before writing the next.
        await new Promise((sent) => setImmediate(sent));
        await new Promise((sent) => setTimeout(sent, 20));
      }
    });
  });
}

describe('HTTP/2 and HTTP/1.1 on one cleartext port', () => {
  it('answers HTTP/1.1 whose first bytes come one at a time', async () => {
    const answer = await rawExchange(['G', 'E', 'T /one HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/HTTP\/1\.1 \/one$/);
  });

  it('answers a request line that begins like the HTTP/2 preface but is not it', async () => {
    const answer = await rawExchange(['PR', 'OPFIND /two HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    expect(answer).toMatch(/HTTP\/1\.1 \/two$/);
  });

  it('answers HTTP/2 with prior knowledge', async () => {
    const session = connectHttp2(`http://127.0.0.1:${listener.port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/three' });
        let text = '';
        stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
      expect(body).toBe('HTTP/2.0 /three');
    } finally {
      session.close();
    }
  });
});
