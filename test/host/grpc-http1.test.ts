import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskRequestSchema, UploadRequestSchema } from '../../shared/platform/generated/arbor/rag/v1/document_service_pb.js';
import { QueryRequestSchema, VectorService } from '../../shared/platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../shared/platform/generated/grpc/health/v1/health_pb.js';
import { blobClient } from '../support/clients.js';
import { grpc, grpcClients, unary } from '../support/grpc-client.js';
import { uniqueName } from '../support/host-process.js';
import { startGrpcServerProcess, type GrpcServerProcess } from '../support/grpc-server-process.js';
import { connectEndStream, frame, framesOf, grpcWebTrailer, http1Post, type Http1Response } from '../support/grpc-web-wire.js';

/**
 * Browsers speak gRPC-Web and Connect over HTTP/1.1; gRPC clients speak HTTP/2 with prior
 * knowledge. The server takes both on one cleartext port. Here through node:http (HTTP/1.1
 * only) with the gRPC-Web framing written in the test, through Connect-ES's own clients told to
 * use HTTP/1.1, and through grpc-js on HTTP/2 at the same address. Then bytes that are not
 * the request message, on every protocol and kind of method: INVALID_ARGUMENT, nothing stored.
 */
const key = 'grpc-http1-test-function-key-0123456789';
let server: GrpcServerProcess;

const grpcWebHeaders = (withKey = true) => ({ 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', ...(withKey ? { 'x-functions-key': key } : {}) });
/** A gRPC-Web status, from the headers (trailers-only answer) or the trailer frame. */
const grpcWebStatus = (response: Http1Response) => {
  const fromHeaders = response.headers['grpc-status'];
  return Number(fromHeaders ?? grpcWebTrailer(framesOf(response.body))['grpc-status']);
};
const withKey: Interceptor = (next) => (request) => {
  request.header.set('x-functions-key', key);
  return next(request);
};
const queryMissing = create(QueryRequestSchema, { collection: 'no-such-collection', vector: [1, 0, 0, 0], k: 1 });

beforeAll(async () => {
  server = await startGrpcServerProcess({ ARBOR_FUNCTION_KEY: key, ARBOR_RAG_DIMENSION: '64' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('gRPC-Web over HTTP/1.1, framed by hand', () => {
  it('answers a health check, with the message frame then the trailer frame', async () => {
    const response = await http1Post(`${server.url}/grpc.health.v1.Health/Check`, grpcWebHeaders(false), frame(0, new Uint8Array(0)));
    expect(response.httpVersion).toBe('1.1');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/grpc-web+proto');
    const frames = framesOf(response.body);
    // HealthCheckResponse { status: SERVING (1) }: field 1, varint 1.
    expect(frames[0]).toEqual({ flags: 0, data: Buffer.from([0x08, 0x01]) });
    expect(grpcWebTrailer(frames)['grpc-status']).toBe('0');
  });

  it('checks the function key and reaches the handler with it', async () => {
    const body = frame(0, toBinary(QueryRequestSchema, queryMissing));
    expect(grpcWebStatus(await http1Post(`${server.url}/arbor.vectors.v1.VectorService/Query`, grpcWebHeaders(false), body))).toBe(Code.Unauthenticated);
    const answered = await http1Post(`${server.url}/arbor.vectors.v1.VectorService/Query`, grpcWebHeaders(), body);
    expect(answered.httpVersion).toBe('1.1');
    expect(grpcWebStatus(answered)).toBe(Code.NotFound);
  });
});

describe('the Connect protocol over HTTP/1.1', () => {
  it('answers unary JSON from a plain POST', async () => {
    const response = await http1Post(`${server.url}/grpc.health.v1.Health/Check`, { 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(response.httpVersion).toBe('1.1');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ status: 'SERVING' });
  });
});

describe("Connect-ES's clients on HTTP/1.1", () => {
  const transports: Array<[string, () => Transport]> = [
    ['gRPC-Web', () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: '1.1', interceptors: [withKey] })],
    ['Connect', () => createConnectTransport({ baseUrl: server.url, httpVersion: '1.1', interceptors: [withKey] })],
  ];

  it.each(transports)('%s: unary, and a server stream read as it arrives', async (_, transport) => {
    const vectors = createClient(VectorService, transport());
    const failure = await vectors.query(queryMissing).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as ConnectError).code).toBe(Code.NotFound);
    // Health.Watch sends the status and holds the stream open: the first message arrives while the response is still going.
    const health = createClient(Health, transport());
    const leave = new AbortController();
    const first = await (async () => {
      for await (const message of health.watch({ service: '' }, { signal: leave.signal })) return message.status;
      return undefined;
    })();
    leave.abort();
    expect(first).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});

describe('gRPC on HTTP/2 at the same address', () => {
  it('still answers grpc-js', async () => {
    const clients = grpcClients(server.address);
    try {
      expect((await unary<{ status: string }>(clients.health, 'check', { service: '' })).value?.status).toBe('SERVING');
      const metadata = new grpc.Metadata();
      metadata.set('x-functions-key', key);
      expect((await unary(clients.vectors, 'query', { collection: 'no-such-collection', vector: [1, 0, 0, 0] }, { metadata })).error?.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      clients.close();
    }
  });
});

describe('bytes that are not the request message', () => {
  /** Field 2 says 255 bytes follow, and one does: no parser can read it as any message. */
  const malformed = Uint8Array.from([0x12, 0xff, 0x01, 0x0a]);
  const uploadHead = (collection: string) => toBinary(UploadRequestSchema, create(UploadRequestSchema, { part: { case: 'metadata', value: { id: 'malformed-doc', format: 'markdown', collection } } }));
  /** 1.5 MiB of good data first, so a block is staged before the bad message arrives. */
  const uploadData = (text: string) => toBinary(UploadRequestSchema, create(UploadRequestSchema, { part: { case: 'data', value: Buffer.from(text) } }));
  const bulk = '# Heading\n\n' + 'Lakes freeze from the top down. '.repeat(48 * 1024);
  const committed = async (collection: string) => {
    const names: string[] = [];
    for await (const blob of blobClient().getContainerClient('rag-uploads').listBlobsFlat({ prefix: `${collection}/` })) names.push(blob.name);
    return names;
  };
  const connectStreamHeaders = { 'content-type': 'application/connect+proto', 'connect-protocol-version': '1', 'x-functions-key': key };

  it('gRPC-Web, unary: INVALID_ARGUMENT', async () => {
    const response = await http1Post(`${server.url}/arbor.vectors.v1.VectorService/Query`, grpcWebHeaders(), frame(0, malformed));
    expect(grpcWebStatus(response)).toBe(Code.InvalidArgument);
  });

  it('gRPC-Web, client streaming (Upload): INVALID_ARGUMENT, and nothing is stored; the same upload whole is stored', async () => {
    const collection = uniqueName('malformed');
    const body = Buffer.concat([frame(0, uploadHead(collection)), frame(0, uploadData(bulk)), frame(0, malformed)]);
    const response = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Upload`, grpcWebHeaders(), body);
    expect(grpcWebStatus(response)).toBe(Code.InvalidArgument);
    expect(await committed(collection)).toEqual([]);
    // The check above can see a stored upload: the same stream without the bad message is stored.
    const whole = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Upload`, grpcWebHeaders(), Buffer.concat([frame(0, uploadHead(collection)), frame(0, uploadData('# Lakes\n\nThey freeze from the top down.'))]));
    expect(grpcWebStatus(whole)).toBe(0);
    expect(await committed(collection)).toHaveLength(1);
  });

  it('gRPC-Web, server streaming (Ask): INVALID_ARGUMENT', async () => {
    const response = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Ask`, grpcWebHeaders(), frame(0, malformed));
    expect(grpcWebStatus(response)).toBe(Code.InvalidArgument);
  });

  it('Connect streaming, client streaming (Upload): invalid_argument in the end-stream frame, and nothing is stored', async () => {
    const collection = uniqueName('malformed');
    const body = Buffer.concat([frame(0, uploadHead(collection)), frame(0, uploadData(bulk)), frame(0, malformed)]);
    const response = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Upload`, connectStreamHeaders, body);
    expect(response.status).toBe(200);
    expect(connectEndStream(framesOf(response.body)).error?.code).toBe('invalid_argument');
    expect(await committed(collection)).toEqual([]);
  });

  it('Connect streaming, server streaming (Ask): invalid_argument before the handler; a good message on the same path reaches it', async () => {
    const response = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Ask`, connectStreamHeaders, frame(0, malformed));
    const refused = connectEndStream(framesOf(response.body));
    expect(refused.error?.code).toBe('invalid_argument');
    expect(refused.error?.message).toMatch(/parse binary/);
    // A well-formed question about a collection that does not exist: the handler's own answer.
    const collection = uniqueName('empty');
    const good = await http1Post(`${server.url}/arbor.rag.v1.DocumentService/Ask`, connectStreamHeaders, frame(0, toBinary(AskRequestSchema, create(AskRequestSchema, { question: 'How do lakes freeze?', collection }))));
    const answered = connectEndStream(framesOf(good.body)) as { error?: { message?: string }; metadata?: Record<string, string[]> };
    expect(JSON.parse(answered.metadata?.['arbor-error']?.[0] ?? '{}').error?.code).toBe('unknown_collection');
    expect(answered.error?.message).toContain(collection);
  });

  it('gRPC on HTTP/2, client streaming (Upload): INVALID_ARGUMENT, and nothing is stored', async () => {
    const collection = uniqueName('malformed');
    const clients = grpcClients(server.address);
    try {
      const metadata = new grpc.Metadata();
      metadata.set('x-functions-key', key);
      const error = await new Promise<grpc.ServiceError | null>((resolve) => {
        const call = clients.raw.makeClientStreamRequest('/arbor.rag.v1.DocumentService/Upload', (b: Buffer) => b, (b: Buffer) => b, metadata, (failure) => resolve(failure));
        call.write(Buffer.from(uploadHead(collection)));
        call.write(Buffer.from(uploadData(bulk)));
        call.write(Buffer.from(malformed));
        call.end();
      });
      expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await committed(collection)).toEqual([]);
    } finally {
      clients.close();
    }
  });
});
