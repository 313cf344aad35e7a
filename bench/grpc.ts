/**
 * bench/grpc: the same calls as protobuf and as JSON, and through gRPC and the HTTP API, in one run.
 *  - bytes on the wire and encode+decode throughput in process (protobuf-es binary vs proto3 JSON
 *    of the same messages, and the HTTP API's JSON bodies) for an upsert of 100 x 384-float
 *    vectors, a 384-float query and its 10-hit answer, and a 100-entity feature read's answer;
 *  - calls/s against a local host for the same three calls: the gRPC server (Connect-ES's gRPC
 *    transport over HTTP/2, and its gRPC-Web transport over HTTP/1.1 as a browser would call it,
 *    same port) and the HTTP API (fetch, HTTP/1.1 keep-alive), 8 calls in flight.
 */
import { create, fromBinary, fromJson, toBinary, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { FeatureService, GetOnlineFeaturesResponseSchema, ValueStatus } from '../shared/platform/generated/arbor/features/v1/feature_service_pb.js';
import { QueryRequestSchema, QueryResponseSchema, UpsertRequestSchema, VectorService } from '../shared/platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { runMain, withBenchHost } from './support/host.js';

const dimension = 384;
const random = (() => {
  let seed = 42;
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
})();
const vector = () => Array.from({ length: dimension }, random);

function throughput<T extends DescMessage>(schema: T, message: MessageShape<T>, jsonBody: unknown): string {
  const binary = toBinary(schema, message);
  const json = JSON.stringify(toJson(schema, message));
  const http = JSON.stringify(jsonBody);
  const rate = (work: () => void) => {
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < 500) {
      work();
      n++;
    }
    return (n / ((performance.now() - started) / 1000)).toFixed(0);
  };
  const proto = rate(() => fromBinary(schema, toBinary(schema, message)));
  const protoJson = rate(() => fromJson(schema, JSON.parse(JSON.stringify(toJson(schema, message)))));
  const plain = rate(() => JSON.parse(JSON.stringify(jsonBody)));
  return `| ${schema.typeName.split('.').pop()} | ${binary.byteLength.toLocaleString('en')} | ${json.length.toLocaleString('en')} | ${http.length.toLocaleString('en')} | ${proto} | ${protoJson} | ${plain} |`;
}

async function callsPerSecond(calls: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<string> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) await call(next++);
    }),
  );
  return (calls / ((performance.now() - started) / 1000)).toFixed(0);
}

async function main(): Promise<void> {
  const items = Array.from({ length: 100 }, (_, i) => ({ id: `item-${i}`, vector: vector(), metadata: { n: i } }));
  const upsert = create(UpsertRequestSchema, { collection: 'bench', items });
  const query = create(QueryRequestSchema, { collection: 'bench', vector: vector(), k: 10 });
  const answer = create(QueryResponseSchema, {
    results: Array.from({ length: 10 }, (_, i) => ({ id: `item-${i}`, score: random(), metadata: { n: i } })),
    shardsAsked: 4,
    shardsAnswered: 4,
  });
  const features = create(GetOnlineFeaturesResponseSchema, {
    results: Array.from({ length: 100 }, (_, i) => ({
      entity: { driver_id: i },
      values: { 'stats:trips': i * 3, 'stats:rating': 4.5, 'profile:city': 'Oslo' },
      status: { 'stats:trips': ValueStatus.PRESENT, 'stats:rating': ValueStatus.PRESENT, 'profile:city': ValueStatus.PRESENT },
    })),
  });
  console.log('Bytes and in-process encode+decode round trips per second (one core):\n');
  console.log('| message | protobuf bytes | proto3 JSON bytes | HTTP API JSON bytes | protobuf /s | proto3 JSON /s | JSON.parse+stringify /s |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(throughput(UpsertRequestSchema, upsert, { items: items.map(({ id, vector: v, metadata }) => ({ id, vector: v, metadata })) }));
  console.log(throughput(QueryRequestSchema, query, { vector: query.vector, k: 10 }));
  console.log(throughput(QueryResponseSchema, answer, { results: answer.results.map((r) => ({ id: r.id, score: r.score, metadata: r.metadata })), partial: false, shards: { asked: 4, answered: 4 } }));
  console.log(throughput(GetOnlineFeaturesResponseSchema, features, { results: features.results.map((r) => ({ entity: r.entity, values: r.values, status: { 'stats:trips': 'present', 'stats:rating': 'present', 'profile:city': 'present' } })) }));

  await withBenchHost('.arbor/bench-grpc', { ARBOR_VECTOR_FANOUT: 'inprocess' }, async (host) => {
    const api = (path: string, body: unknown, method = 'POST') =>
      fetch(`${host.url}/api/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => {
        if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
        return response.json();
      });
    await api('collections/bench', { dimension, metric: 'cosine', shards: 4 }, 'PUT');
    await api('features/registry', {
      entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [{ name: 'stats', entity: 'driver', ttlSeconds: 0, online: true, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] }],
    });
    await api('features/push', { view: 'stats', rows: Array.from({ length: 100 }, (_, i) => ({ driver_id: i, trips: i, rating: 4.5, event_timestamp: '2026-01-01T00:00:00Z' })) });
    const transport = createGrpcTransport({ baseUrl: host.grpcUrl });
    const vectors = createClient(VectorService, transport);
    const featureClient = createClient(FeatureService, transport);
    const webTransport = createGrpcWebTransport({ baseUrl: host.grpcUrl, httpVersion: '1.1' });
    const webVectors = createClient(VectorService, webTransport);
    const webFeatures = createClient(FeatureService, webTransport);
    const batch = (i: number, prefix: string) => items.map((item) => ({ ...item, id: `${prefix}-${i}-${item.id}` }));
    const entities = Array.from({ length: 100 }, (_, i) => i);
    const featureRefs = ['stats:trips', 'stats:rating'];
    const rows: string[] = [];
    const measure = async (name: string, calls: number, grpcCall: (i: number) => Promise<unknown>, webCall: (i: number) => Promise<unknown>, httpCall: (i: number) => Promise<unknown>) => {
      await grpcCall(-1);
      await webCall(-2);
      await httpCall(-1);
      rows.push(`| ${name} | ${calls} | ${await callsPerSecond(calls, 8, grpcCall)} | ${await callsPerSecond(calls, 8, webCall)} | ${await callsPerSecond(calls, 8, httpCall)} |`);
    };
    const featureRead = (client: typeof featureClient) => () =>
      client.getOnlineFeatures({ features: featureRefs, entities: { driver_id: { values: entities.map((value) => ({ kind: { case: 'numberValue' as const, value } })) } } });
    await measure(
      'upsert 100 x 384',
      100,
      (i) => vectors.upsert({ collection: 'bench', items: batch(i, 'g') }),
      (i) => webVectors.upsert({ collection: 'bench', items: batch(i, 'w') }),
      (i) => api('collections/bench/items', { items: batch(i, 'h') }),
    );
    await measure(
      'query k=10',
      500,
      () => vectors.query({ collection: 'bench', vector: query.vector, k: 10 }),
      () => webVectors.query({ collection: 'bench', vector: query.vector, k: 10 }),
      () => api('collections/bench/query', { vector: query.vector, k: 10 }),
    );
    await measure('feature read, 100 entities', 500, featureRead(featureClient), featureRead(webFeatures), () => api('features/online', { features: featureRefs, entities: { driver_id: entities } }));
    console.log('\nCalls per second against the local host, 8 in flight (gRPC: HTTP/2, binary; gRPC-Web: HTTP/1.1, binary, same port; HTTP API: HTTP/1.1, JSON):\n');
    console.log('| call | calls | gRPC /s | gRPC-Web HTTP/1.1 /s | HTTP API /s |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  });
}

runMain(main);
