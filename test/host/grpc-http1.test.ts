import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryRequestSchema, VectorService } from '../../shared/platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../shared/platform/generated/grpc/health/v1/health_pb.js';
import { grpc, grpcClients, unary } from '../support/grpc-client.js';
import { startGrpcServerProcess, type GrpcServerProcess } from '../support/grpc-server-process.js';
import { frame, framesOf, grpcWebTrailer, http1Post, type Http1Response } from '../support/grpc-web-wire.js';

/**
 * Browsers speak gRPC-Web and Connect over HTTP/1.1; gRPC clients speak HTTP/2 with prior
 * knowledge. The server takes both on one cleartext port. Here through node:http (HTTP/1.1
 * only) with the gRPC-Web framing written in the test, through Connect-ES's own clients told to
 * use HTTP/1.1, and through grpc-js on HTTP/2 at the same address.
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
  server = await startGrpcServerProcess({ ARBOR_FUNCTION_KEY: key });
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
