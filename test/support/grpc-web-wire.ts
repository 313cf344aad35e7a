import { request as httpRequest } from 'node:http';

/**
 * gRPC-Web and Connect streaming on the wire, written from their specifications for tests: each
 * message is a frame of one flags byte, a 4-byte big-endian length and the bytes. gRPC-Web ends
 * with a trailer frame (flag 0x80) of `name: value` lines; Connect streaming with an end-stream
 * frame (flag 0x02) of JSON.
 */
export function frame(flags: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

export interface Frame {
  flags: number;
  data: Buffer;
}

export function framesOf(body: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    frames.push({ flags: body[at] as number, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  if (at !== body.length) throw new Error(`${body.length - at} bytes after the last whole frame`);
  return frames;
}

/** The gRPC-Web trailer frame's `name: value` lines, names in lower case. */
export function grpcWebTrailer(frames: readonly Frame[]): Record<string, string> {
  const trailer = frames.find((f) => (f.flags & 0x80) !== 0);
  if (!trailer) throw new Error('no trailer frame');
  return Object.fromEntries(
    trailer.data
      .toString('latin1')
      .split('\r\n')
      .filter(Boolean)
      .map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
  );
}

/** Connect streaming's end-stream frame, parsed. */
export function connectEndStream(frames: readonly Frame[]): { error?: { code: string; message?: string } } {
  const end = frames.find((f) => (f.flags & 0x02) !== 0);
  if (!end) throw new Error('no end-stream frame');
  return JSON.parse(end.data.toString('utf8')) as { error?: { code: string; message?: string } };
}

export interface Http1Response {
  status: number;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A POST over HTTP/1.1 (node:http speaks nothing else), as a browser's fetch would send it. */
export function http1Post(url: string, headers: Record<string, string>, body: Uint8Array): Promise<Http1Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, httpVersion: response.httpVersion, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
