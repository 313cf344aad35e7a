import { execFileSync } from 'node:child_process';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureService, PushTarget } from '../../shared/platform/generated/arbor/features/v1/feature_service_pb.js';
import { InferenceService } from '../../shared/platform/generated/arbor/inference/v1/inference_service_pb.js';
import { PipelineService } from '../../shared/platform/generated/arbor/pipelines/v1/pipeline_service_pb.js';
import { UpsertRequestSchema, VectorService } from '../../shared/platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { blobClient } from '../support/clients.js';
import {
  arborError,
  collect,
  fromStruct,
  grpc,
  grpcAddress,
  grpcClients,
  listOf,
  toStruct,
  unary,
  type GrpcClient,
} from '../support/grpc-client.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/**
 * Every RPC through the local gRPC server, driven by @grpc/grpc-js (loaded from the .proto
 * files, not the generated code), and every unary RPC through the Function App's Connect route
 * with Connect-ES's client. The host has a function key, so both paths check it.
 */
const key = 'grpc-test-function-key-0123456789';
let host: HostProcess;
let clients: ReturnType<typeof grpcClients>;
const auth = () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-functions-key', key);
  return metadata;
};
const http = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${host.url}/api/${path}`, {
    method,
    headers: { 'x-functions-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
};
const call = <T>(client: GrpcClient, method: string, request: unknown, deadline?: Date) => unary<T>(client, method, request, { metadata: auth(), ...(deadline ? { deadline } : {}) });
const connect = () => createConnectTransport({ baseUrl: `${host.url}/api/rpc`, httpVersion: '1.1', useBinaryFormat: true, interceptors: [(next) => (request) => (request.header.set('x-functions-key', key), next(request))] });
const connectJson = () => createConnectTransport({ baseUrl: `${host.url}/api/rpc`, httpVersion: '1.1', useBinaryFormat: false, interceptors: [(next) => (request) => (request.header.set('x-functions-key', key), next(request))] });

beforeAll(async () => {
  host = await startHostProcess({ ARBOR_FUNCTION_KEY: key, ARBOR_RAG_DIMENSION: '64' });
  clients = grpcClients(grpcAddress(host));
}, 60_000);

afterAll(async () => {
  clients?.close();
  await host?.stop();
});

describe('the gRPC server', () => {
  it('answers grpc.health.v1 without a key, and lists its services by reflection', async () => {
    expect((await unary<{ status: string }>(clients.health, 'check', { service: '' })).value?.status).toBe('SERVING');
    expect((await unary<{ status: string }>(clients.health, 'check', { service: 'arbor.vectors.v1.VectorService' })).value?.status).toBe('SERVING');
    expect((await unary(clients.health, 'check', { service: 'no.Such' })).error?.code).toBe(grpc.status.NOT_FOUND);
    const stream = clients.reflection.serverReflectionInfo();
    const answers = collect<Record<string, any>>(stream);
    stream.write({ listServices: '' });
    stream.write({ fileContainingSymbol: 'arbor.rag.v1.DocumentService.Ask' });
    stream.end();
    const { messages, error } = await answers;
    expect(error).toBeUndefined();
    const names = (messages[0]?.listServicesResponse.service as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['arbor.features.v1.FeatureService', 'arbor.vectors.v1.VectorService', 'arbor.rag.v1.DocumentService', 'arbor.pipelines.v1.PipelineService', 'arbor.inference.v1.InferenceService', 'grpc.health.v1.Health']));
    expect(messages[1]?.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThanOrEqual(2);
  });

  it('speaks gRPC-Web and the Connect protocol on the same port, streaming included', async () => {
    const baseUrl = `http://${grpcAddress(host)}`;
    const withKey: Interceptor[] = [(next) => (request) => (request.header.set('x-functions-key', key), next(request))];
    for (const transport of [createGrpcWebTransport({ baseUrl, httpVersion: '2', interceptors: withKey }), createConnectTransport({ baseUrl, httpVersion: '2', interceptors: withKey })]) {
      const pipelines = createClient(PipelineService, transport);
      const missing = await pipelines.getRun({ runId: 'no-such-run' }).catch((error: unknown) => error as ConnectError);
      expect((missing as ConnectError).code).toBe(Code.NotFound);
      const stream = pipelines.watchRun({ runId: 'no-such-run' });
      const streamed = await (async () => {
        for await (const _ of stream) return 'message';
        return 'end';
      })().catch((error: unknown) => error as ConnectError);
      expect((streamed as ConnectError).code).toBe(Code.NotFound);
    }
  });

  it('refuses a call without the function key with UNAUTHENTICATED', async () => {
    const outcome = await unary(clients.vectors, 'query', { collection: 'any' });
    expect(outcome.error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    const outcome = await new Promise<grpc.ServiceError | null>((resolve) =>
      clients.raw.makeUnaryRequest('/arbor.vectors.v1.VectorService/Nope', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), auth(), (error) => resolve(error)),
    );
    expect(outcome?.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});

describe('FeatureService', () => {
  const driver = uniqueName('driver', '_');
  const stats = uniqueName('stats', '_');
  beforeAll(async () => {
    const applied = await http('POST', 'features/registry', {
      entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [{ name: stats, entity: driver, ttlSeconds: 0, online: true, features: [{ name: 'trips', type: 'int64' }, { name: 'city', type: 'string' }] }],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBeLessThan(300);
  });

  it('pushes rows and reads them back, in request order with statuses', async () => {
    const rows = [
      { driver_id: 1, trips: 10, city: 'Oslo', event_timestamp: '2026-01-01T00:00:00Z' },
      { driver_id: 2, trips: 20, city: 'Rome', event_timestamp: '2026-01-01T00:00:00Z' },
    ];
    const pushed = await call<Record<string, any>>(clients.features, 'pushFeatures', { view: stats, rows: rows.map(toStruct), to: 'PUSH_TARGET_ONLINE' });
    expect(pushed.error).toBeUndefined();
    expect(pushed.value).toMatchObject({ view: stats, rows: 2, online: { written: 2, older: 0 } });
    const read = await call<{ results: Array<Record<string, any>> }>(clients.features, 'getOnlineFeatures', { features: [`${stats}:trips`, `${stats}:city`], entities: { driver_id: listOf([2, 1, 3]) } });
    expect(read.error).toBeUndefined();
    const results = read.value?.results ?? [];
    expect(results.map((r) => fromStruct(r.values))).toEqual([
      { [`${stats}:trips`]: 20, [`${stats}:city`]: 'Rome' },
      { [`${stats}:trips`]: 10, [`${stats}:city`]: 'Oslo' },
      { [`${stats}:trips`]: null, [`${stats}:city`]: null },
    ]);
    expect(results[2]?.status).toEqual({ [`${stats}:trips`]: 'VALUE_STATUS_MISSING', [`${stats}:city`]: 'VALUE_STATUS_MISSING' });
  });

  it('names a bad field with INVALID_ARGUMENT and writes nothing', async () => {
    const bad = await call(clients.features, 'pushFeatures', { view: stats, rows: [toStruct({ driver_id: 9, trips: 'many', event_timestamp: '2026-01-01T00:00:00Z' })] });
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(JSON.stringify(arborError(bad.error)?.details)).toMatch(/trips/);
    const read = await call<{ results: Array<Record<string, any>> }>(clients.features, 'getOnlineFeatures', { features: [`${stats}:trips`], entities: { driver_id: listOf([9]) } });
    expect(read.value?.results[0]?.status).toEqual({ [`${stats}:trips`]: 'VALUE_STATUS_MISSING' });
  });

  it('serves both RPCs through the Function App route with the Connect protocol, binary and JSON', async () => {
    for (const [day, transport] of [connect(), connectJson()].entries()) {
      const client = createClient(FeatureService, transport);
      const city = day === 0 ? 'Lima' : 'Quito';
      const pushed = await client.pushFeatures({ view: stats, rows: [{ driver_id: 5, trips: 50, city, event_timestamp: `2026-01-0${day + 2}T00:00:00Z` }], to: PushTarget.ONLINE });
      expect(pushed.online?.written).toBe(1);
      const read = await client.getOnlineFeatures({ features: [`${stats}:city`], entities: { driver_id: { values: [{ kind: { case: 'numberValue', value: 5 } }] } } });
      expect(read.results[0]?.values).toEqual({ [`${stats}:city`]: city });
    }
    const refused = await createClient(FeatureService, connect()).getOnlineFeatures({ features: ['nope:x'], entities: {} }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectError);
    // An unregistered view is not found, as the HTTP routes answer it (404 unknown_view).
    expect((refused as ConnectError).code).toBe(Code.NotFound);
  });
});

describe('VectorService', () => {
  const name = uniqueName('grpcvec');
  const items = Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, vector: [Math.cos(i), Math.sin(i), 0.5, i / 20], metadata: toStruct({ n: i, even: i % 2 === 0 }) }));
  const count = async () => (await http('GET', `collections/${name}`)).body.items as number;
  beforeAll(async () => {
    expect((await http('PUT', `collections/${name}`, { dimension: 4, metric: 'cosine', shards: 2 })).status).toBeLessThan(300);
  });

  it('upserts, queries with a filter and searches one shard', async () => {
    const upserted = await call<{ upserted: number; shards: Record<string, number> }>(clients.vectors, 'upsert', { collection: name, items });
    expect(upserted.error).toBeUndefined();
    expect(upserted.value?.upserted).toBe(20);
    expect(Object.values(upserted.value?.shards ?? {}).reduce((a, b) => a + b, 0)).toBe(20);
    const queried = await call<Record<string, any>>(clients.vectors, 'query', { collection: name, vector: items[3]?.vector, k: 3, filter: toStruct({ even: false }) });
    expect(queried.error).toBeUndefined();
    expect(queried.value?.results[0].id).toBe('v3');
    expect((queried.value?.results as Array<Record<string, any>>).every((r) => fromStruct(r.metadata)?.even === false)).toBe(true);
    expect(queried.value).toMatchObject({ partial: false, shardsAsked: 2, shardsAnswered: 2 });
    const hits = await Promise.all([0, 1].map((shard) => call<Record<string, any>>(clients.vectors, 'shardSearch', { collection: name, shard, vector: items[3]?.vector, k: 25 })));
    expect(hits.flatMap((h) => h.value?.hits as unknown[]).length).toBe(20);
    expect(hits.map((h) => h.value?.shard)).toEqual([0, 1]);
  });

  it('refuses bad input with the right status and stores nothing', async () => {
    const before = await count();
    const wrongDimension = await call(clients.vectors, 'upsert', { collection: name, items: [{ id: 'bad', vector: [1, 2] }] });
    expect(wrongDimension.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(JSON.stringify(arborError(wrongDimension.error)?.details)).toMatch(/items\[0\]\.vector/);
    expect((await call(clients.vectors, 'query', { collection: 'no-such-collection', vector: [1, 0, 0, 0] })).error?.code).toBe(grpc.status.NOT_FOUND);
    const raw = (bytes: Uint8Array) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        clients.raw.makeUnaryRequest('/arbor.vectors.v1.VectorService/Upsert', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(bytes), auth(), (error) => resolve(error)),
      );
    // A length that runs past the end: not protobuf.
    expect((await raw(Uint8Array.from([0x12, 0xff, 0x01, 0x0a])))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // Field 1 (collection, a string) sent as a varint: the wrong wire type for its field.
    expect((await raw(Uint8Array.from([0x08, 0x05])))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // Over the 4 MiB message limit.
    const big = toBinary(UpsertRequestSchema, create(UpsertRequestSchema, { collection: name, items: Array.from({ length: 300 }, (_, i) => ({ id: `big${i}`, vector: Array.from({ length: 4_000 }, () => 1) })) }));
    expect(big.byteLength).toBeGreaterThan(4 * 1024 * 1024);
    expect((await raw(big))?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await count()).toBe(before);
  });

  it('serves the unary RPCs through the Function App route', async () => {
    const client = createClient(VectorService, connect());
    expect((await client.upsert({ collection: name, items: [{ id: 'c1', vector: [0, 0, 1, 0] }] })).upserted).toBe(1);
    expect((await client.query({ collection: name, vector: [0, 0, 1, 0], k: 1 })).results[0]?.id).toBe('c1');
    const shard = await client.shardSearch({ collection: name, shard: 0, vector: [0, 0, 1, 0], k: 5 });
    expect(shard.hits.length).toBeGreaterThan(0);
    const wrong = await client.upsert({ collection: name, items: [{ id: 'c2', vector: [1] }] }).catch((error: unknown) => error as ConnectError);
    expect((wrong as ConnectError).code).toBe(Code.InvalidArgument);
    const garbage = await fetch(`${host.url}/api/rpc/arbor.vectors.v1.VectorService/Upsert`, { method: 'POST', headers: { 'content-type': 'application/proto', 'x-functions-key': key }, body: Uint8Array.from([0x12, 0xff, 0x01]) });
    expect(garbage.status).toBe(400);
    const unknown = await fetch(`${host.url}/api/rpc/arbor.vectors.v1.VectorService/Nope`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-functions-key': key }, body: '{}' });
    expect(unknown.status).toBe(404);
    const before = (await http('GET', `collections/${name}`)).body.items as number;
    const oversize = await fetch(`${host.url}/api/rpc/arbor.vectors.v1.VectorService/Upsert`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', 'x-functions-key': key },
      body: toBinary(UpsertRequestSchema, create(UpsertRequestSchema, { collection: name, items: Array.from({ length: 300 }, (_, i) => ({ id: `o${i}`, vector: Array.from({ length: 4_000 }, () => 1) })) })),
    });
    expect(oversize.status).toBe(413);
    expect((await http('GET', `collections/${name}`)).body.items).toBe(before);
    const noKey = await fetch(`${host.url}/api/rpc/arbor.vectors.v1.VectorService/Query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
  });
});

describe('DocumentService', () => {
  const collection = uniqueName('grpcdocs');
  const text = ['# Rivers', '', 'The Danube flows through ten countries and ends in the Black Sea.', '', '## Lakes', '', 'Lake Baikal is the deepest lake in the world.'].join('\n');
  const uploadsOf = async () => {
    const names: string[] = [];
    for await (const blob of blobClient().getContainerClient('rag-uploads').listBlobsFlat({ prefix: `${collection}/` })) names.push(blob.name);
    return names;
  };
  const upload = (metadata: Record<string, unknown>, pieces: Buffer[], options: { deadline?: Date; cancelAfter?: number } = {}) =>
    new Promise<{ value?: Record<string, any>; error?: grpc.ServiceError }>((resolve) => {
      const stream = clients.documents.upload(auth(), options.deadline ? { deadline: options.deadline } : {}, (error: grpc.ServiceError | null, value: Record<string, any>) => resolve(error ? { error } : { value }));
      stream.write({ metadata });
      pieces.forEach((piece, index) => {
        stream.write({ data: piece });
        if (options.cancelAfter === index) stream.cancel();
      });
      if (options.cancelAfter === undefined && !options.deadline) stream.end();
    });

  it('ingests a document streamed in 64 KB pieces, then streams an answer in order', async () => {
    const bytes = Buffer.from(text);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 16) }, (_, i) => bytes.subarray(i * 16, i * 16 + 16));
    const uploaded = await upload({ id: 'rivers', collection, format: 'markdown', metadata: toStruct({ topic: 'geo' }) }, pieces);
    expect(uploaded.error).toBeUndefined();
    expect(uploaded.value).toMatchObject({ status: 'created', id: 'rivers', collection, bytes: String(bytes.length) });
    expect(Number(uploaded.value?.chunks)).toBeGreaterThan(0);
    const { messages, error } = await collect<Record<string, any>>(clients.documents.ask({ question: 'Which lake is the deepest?', collection }, auth()));
    expect(error).toBeUndefined();
    expect(messages[0]?.event).toBe('sources');
    expect(messages.at(-1)?.event).toBe('done');
    const deltas = messages.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((m) => m.event === 'delta')).toBe(true);
    expect(deltas.map((m) => m.delta).join('')).toBe(messages.at(-1)?.done.answer);
    expect(messages.at(-1)?.done.answer).toMatch(/Baikal/);
  });

  it('stores nothing when the stream is cancelled or passes its deadline midway, or starts without metadata', async () => {
    const before = await uploadsOf();
    const piece = Buffer.alloc(64 * 1024, 'a');
    const cancelled = await upload({ id: 'cut', collection }, [piece, piece, piece], { cancelAfter: 1 });
    expect(cancelled.error?.code).toBe(grpc.status.CANCELLED);
    const late = await upload({ id: 'late', collection }, [piece, piece], { deadline: new Date(Date.now() + 1_500) });
    expect(late.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const headless = await new Promise<grpc.ServiceError | null>((resolve) => {
      const stream = clients.documents.upload(auth(), (error: grpc.ServiceError | null) => resolve(error));
      stream.write({ data: piece });
      stream.end();
    });
    expect(headless?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await uploadsOf()).toEqual(before);
  });
});

describe('PipelineService', () => {
  const name = uniqueName('grpcpipe');
  beforeAll(async () => {
    const registered = await http('POST', 'pipelines', {
      name,
      steps: [
        { id: 'a', uses: 'noop' },
        { id: 'b', uses: 'sleep', with: { ms: 600 }, dependsOn: ['a'] },
        { id: 'c', uses: 'noop', dependsOn: ['b'] },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  });

  it('starts a run, streams every step transition until it ends, and reads it', async () => {
    const started = await call<{ runId: string }>(clients.pipelines, 'startRun', { pipeline: name });
    expect(started.error).toBeUndefined();
    const runId = started.value?.runId as string;
    const { messages, error } = await collect<Record<string, any>>(clients.pipelines.watchRun({ runId }, auth()));
    expect(error).toBeUndefined();
    expect(messages[0]?.event).toBe('snapshot');
    expect(messages.at(-1)?.event).toBe('ended');
    expect(messages.at(-1)?.ended.state).toBe('succeeded');
    const transitions = messages.filter((m) => m.event === 'step').map((m) => m.step);
    for (const step of ['a', 'b', 'c']) expect(transitions.filter((t) => t.stepId === step).at(-1)?.toState, step).toBe('succeeded');
    // In order: c never succeeds before b does.
    const index = (step: string) => transitions.findIndex((t) => t.stepId === step && t.toState === 'succeeded');
    expect(index('b')).toBeLessThan(index('c'));
    const read = await call<{ run: Record<string, any> }>(clients.pipelines, 'getRun', { runId });
    expect(read.value?.run.state).toBe('succeeded');
    expect((read.value?.run.steps as Array<{ id: string }>).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  it('ends a watch at its deadline, and answers NOT_FOUND and INVALID_ARGUMENT for bad run ids', async () => {
    const started = await call<{ runId: string }>(clients.pipelines, 'startRun', { pipeline: name });
    const watched = await collect<Record<string, any>>(clients.pipelines.watchRun({ runId: started.value?.runId }, auth(), { deadline: new Date(Date.now() + 300) }));
    expect(watched.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((await call(clients.pipelines, 'getRun', { runId: 'no-such-run' })).error?.code).toBe(grpc.status.NOT_FOUND);
    expect((await call(clients.pipelines, 'getRun', { runId: '../x' })).error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(clients.pipelines, 'startRun', { pipeline: 'no-such-pipeline' })).error?.code).toBe(grpc.status.NOT_FOUND);
  });

  it('serves StartRun and GetRun through the Function App route', async () => {
    const client = createClient(PipelineService, connect());
    const { runId } = await client.startRun({ pipeline: name });
    const run = await eventually(async () => {
      const read = await client.getRun({ runId });
      return read.run?.state === 'succeeded' ? read.run : undefined;
    }, 30_000, 200);
    expect(run.steps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });
});

describe('InferenceService', () => {
  it('scores through serving on both paths, the same predictions', async () => {
    const model = uniqueName('grpcmodel');
    const onnx = execFileSync(process.execPath, ['dist/tools/onnx-logistic.js', '--weights=0.25,-0.01', '--bias=-1', '--input=features']);
    expect((await http('PUT', `models/${model}`, { task: 'binary_classification' })).status).toBeLessThan(300);
    const signature = { signature: { inputs: [{ name: 'features', shape: [-1, 2], columns: [{ input: 'orders' }, { input: 'amount' }] }], outputs: [{ name: 'probability', shape: [-1, 1] }] } };
    const version = await fetch(`${host.url}/api/models/${model}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-arbor-version-metadata': JSON.stringify(signature), 'x-functions-key': key },
      body: onnx,
    });
    expect(version.status, await version.clone().text()).toBeLessThan(300);
    expect((await http('PUT', `endpoints/${model}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] })).status).toBeLessThan(300);
    const scored = await call<Record<string, any>>(clients.inference, 'predict', { endpoint: model, inputs: { orders: listOf([12, 0]), amount: listOf([30, 0]) } });
    expect(scored.error).toBeUndefined();
    expect(scored.value).toMatchObject({ variant: 'stable', model, version: 1 });
    const expected = [1 / (1 + Math.exp(-(0.25 * 12 - 0.01 * 30 - 1))), 1 / (1 + Math.exp(1))];
    (scored.value?.predictions as number[]).forEach((p, i) => expect(p).toBeCloseTo(expected[i] as number, 4));
    const viaRoute = await createClient(InferenceService, connect()).predict({
      endpoint: model,
      inputs: { orders: { values: [12, 0].map((value) => ({ kind: { case: 'numberValue' as const, value } })) }, amount: { values: [30, 0].map((value) => ({ kind: { case: 'numberValue' as const, value } })) } },
    });
    viaRoute.predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i] as number, 4));
  });

  it('reaches serving: an endpoint that does not exist is NOT_FOUND, a bad name INVALID_ARGUMENT, on both paths', async () => {
    expect((await call(clients.inference, 'predict', { endpoint: 'no-such-endpoint', inputs: { x: listOf([1]) } })).error?.code).toBe(grpc.status.NOT_FOUND);
    expect((await call(clients.inference, 'predict', { endpoint: 'Bad Name!', inputs: { x: listOf([1]) } })).error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const refused = await createClient(InferenceService, connect())
      .predict({ endpoint: 'no-such-endpoint', inputs: { x: { values: [{ kind: { case: 'numberValue', value: 1 } }] } } })
      .catch((error: unknown) => error as ConnectError);
    expect((refused as ConnectError).code).toBe(Code.NotFound);
  });
});
