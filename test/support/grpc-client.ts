import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { HostProcess } from './host-process.js';

/**
 * gRPC clients for tests, built by @grpc/grpc-js and @grpc/proto-loader from the .proto files
 * themselves: an implementation independent of the server's (Connect-ES and protobuf-es), so
 * a test passes only when both read the contract the same way.
 */
const protoRoot = join(import.meta.dirname, '..', '..', 'proto');
const files = [
  'arbor/features/v1/feature_service.proto',
  'arbor/vectors/v1/vector_service.proto',
  'arbor/rag/v1/document_service.proto',
  'arbor/pipelines/v1/pipeline_service.proto',
  'arbor/inference/v1/inference_service.proto',
  'grpc/health/v1/health.proto',
  'grpc/reflection/v1/reflection.proto',
];
const definition = protoLoader.loadSync(files, { includeDirs: [protoRoot], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as Record<string, any>;

/** The gRPC address the host printed at start. */
export function grpcAddress(host: Pick<HostProcess, 'output'>): string {
  const line = host.output.find((l) => /gRPC, gRPC-Web and Connect: http:\/\//.test(l));
  const match = line && /http:\/\/(\S+)/.exec(line);
  if (!match) throw new Error(`the host printed no gRPC address:\n${host.output.join('\n')}`);
  return match[1] as string;
}

export type GrpcClient = grpc.Client & Record<string, any>;

export function grpcClients(address: string) {
  const make = (ctor: new (address: string, credentials: grpc.ChannelCredentials, options?: object) => GrpcClient) =>
    new ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 16 * 1024 * 1024, 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  return {
    features: make(loaded.arbor.features.v1.FeatureService),
    vectors: make(loaded.arbor.vectors.v1.VectorService),
    documents: make(loaded.arbor.rag.v1.DocumentService),
    pipelines: make(loaded.arbor.pipelines.v1.PipelineService),
    inference: make(loaded.arbor.inference.v1.InferenceService),
    health: make(loaded.grpc.health.v1.Health),
    reflection: make(loaded.grpc.reflection.v1.ServerReflection),
    raw: new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 16 * 1024 * 1024 }),
    close() {
      for (const client of [this.features, this.vectors, this.documents, this.pipelines, this.inference, this.health, this.reflection, this.raw]) client.close();
    },
  };
}

export interface CallOutcome<T> {
  value?: T;
  error?: grpc.ServiceError;
}

/** A unary call as a promise of its value or its error (never rejects). */
export function unary<T>(client: GrpcClient, method: string, request: unknown, options: { metadata?: grpc.Metadata; deadline?: Date } = {}): Promise<CallOutcome<T>> {
  return new Promise((resolve) => {
    client[method](request, options.metadata ?? new grpc.Metadata(), { ...(options.deadline ? { deadline: options.deadline } : {}) }, (error: grpc.ServiceError | null, value: T) =>
      resolve(error ? { error } : { value }),
    );
  });
}

/** Every message of a server stream, then its end or its error. */
export function collect<T>(call: grpc.ClientReadableStream<T>): Promise<{ messages: T[]; error?: grpc.ServiceError }> {
  const messages: T[] = [];
  return new Promise((resolve) => {
    call.on('data', (message: T) => messages.push(message));
    call.on('error', (error: grpc.ServiceError) => resolve({ messages, error }));
    call.on('end', () => resolve({ messages }));
  });
}

/** The Arbor error body a failed call carries in its `arbor-error` trailer. */
export function arborError(error: grpc.ServiceError | undefined): { code: string; details: unknown } | undefined {
  const value = error?.metadata?.get('arbor-error')[0];
  return value === undefined ? undefined : (JSON.parse(String(value)) as { error: { code: string; details: unknown } }).error;
}

/** google.protobuf.Struct / Value as proto-loader represents them, from and to plain JSON. */
export function toValue(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  return { structValue: toStruct(value as Record<string, unknown>) };
}

export function toStruct(object: Record<string, unknown>): { fields: Record<string, unknown> } {
  return { fields: Object.fromEntries(Object.entries(object).map(([key, value]) => [key, toValue(value)])) };
}

export function fromValue(value: Record<string, any> | undefined): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'listValue':
      return (value.listValue.values as Array<Record<string, any>>).map(fromValue);
    case 'structValue':
      return fromStruct(value.structValue);
    default:
      return undefined;
  }
}

export function fromStruct(struct: { fields?: Record<string, any> } | null | undefined): Record<string, unknown> | null {
  if (!struct) return null;
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([key, value]) => [key, fromValue(value)]));
}

export const listOf = (values: unknown[]) => ({ values: values.map(toValue) });

export { grpc };
