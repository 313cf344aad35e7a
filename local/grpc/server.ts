import { Code, ConnectError, createConnectRouter, createContextValues, type Interceptor } from '@connectrpc/connect';
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import * as df from 'durable-functions';
import { arborRoutes, rpcRouterOptions } from '../../functions/rpc/routes.js';
import { Health } from '../../shared/platform/generated/grpc/health/v1/health_pb.js';
import { runStarterKey } from '../../shared/pipelines/rpc.js';
import { malformedAsInvalid, malformedMessagesInvalid } from '../../shared/platform/rpc-http.js';
import { keyMatches } from '../http/function-keys.js';
import { entraTokenVerifier, TokenRejected, type EntraTokenPolicy } from './entra-tokens.js';
import { listenCleartext } from './cleartext-listener.js';
import { applyCors } from './cors.js';
import { healthService } from './health.js';
import { reflectionRoutes } from './reflection.js';

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, every call but health and reflection needs it in `x-functions-key`, as the HTTP routes do. */
  functionKey: string | undefined;
  /** When set, a call may instead present an Entra access token (`authorization: Bearer ...`) this policy accepts. */
  entra?: EntraTokenPolicy | undefined;
  /**
   * The local host's durable client binding data (JSON): StartRun starts runs through it.
   * Absent on a server beside no Functions host (the Container App): StartRun is UNAVAILABLE there.
   */
  durableClientInput?: string;
  /** Browser origins allowed to call with gRPC-Web or Connect (CORS); none when empty or absent. */
  corsOrigins?: readonly string[];
}

export interface GrpcServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const openServices = new Set([Health.typeName, 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);

/**
 * Who may call: with an Entra policy, a bearer token it accepts; with a function key, that key
 * in `x-functions-key` (header only, as a gRPC call has no query string); either will do when
 * both are configured, and a token that is presented must be good. Health and reflection are open.
 */
function callerCheck(functionKey: string | undefined, entra: EntraTokenPolicy | undefined): Interceptor {
  const verifyToken = entra ? entraTokenVerifier(entra) : undefined;
  const wanted = [...(verifyToken ? ['an Entra access token as authorization: Bearer <token>'] : []), ...(functionKey !== undefined ? ['the function key in x-functions-key'] : [])].join(' or ');
  return (next) => async (request) => {
    if (openServices.has(request.service.typeName) || (functionKey === undefined && !verifyToken)) return next(request);
    const authorization = request.header.get('authorization');
    if (verifyToken && authorization !== null) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (token === undefined) throw new ConnectError('authorization must be "Bearer <token>"', Code.Unauthenticated);
      try {
        await verifyToken(token);
      } catch (error) {
        if (error instanceof TokenRejected) throw new ConnectError(error.message, Code.Unauthenticated);
        // The tenant's keys could not be read: the caller may try again.
        throw new ConnectError(`the token could not be checked: ${error instanceof Error ? error.message : String(error)}`, Code.Unavailable);
      }
      return next(request);
    }
    if (functionKey !== undefined && keyMatches(functionKey, request.header.get('x-functions-key') ?? undefined)) return next(request);
    throw new ConnectError(`this call needs ${wanted}`, Code.Unauthenticated);
  };
}

/**
 * A durable client from the host's binding data, through the library's public getClient(): it
 * reads the binding from an invocation context, so it is given the one field it reads.
 */
function durableClientOf(clientInput: string): df.DurableClient {
  const binding = df.input.durableClient();
  const data: unknown = JSON.parse(clientInput);
  const context = { options: { extraInputs: [binding] }, extraInputs: { get: () => data } };
  return df.getClient(context as unknown as Parameters<typeof df.getClient>[0]);
}

/**
 * Arbor's RPC services in cleartext (for 127.0.0.1 and for a Container App's ingress, which
 * terminates TLS), HTTP/2 and HTTP/1.1 on one port: one handler set answering gRPC (HTTP/2),
 * gRPC-Web and the Connect protocol (either), with grpc.health.v1 and server reflection beside them.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const stopping = new AbortController();
  const durableClient = options.durableClientInput === undefined ? undefined : durableClientOf(options.durableClientInput);
  const router = createConnectRouter({ ...rpcRouterOptions, interceptors: [callerCheck(options.functionKey, options.entra), malformedMessagesInvalid], shutdownSignal: stopping.signal });
  arborRoutes(router);
  const serviceNames = [...new Set(router.handlers.map((handler) => handler.service.typeName))];
  router.service(Health, healthService(serviceNames, stopping.signal));
  reflectionRoutes(router);
  // connectNodeAdapter's part, done here so each handler can be wrapped (malformedAsInvalid).
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, malformedAsInvalid(handler)]));
  const listener = await listenCleartext(
    (request, response) => {
      if (applyCors(options.corsOrigins ?? [], request, response) === 'answered') return;
      const handler = handlers.get(new URL(request.url ?? '/', 'http://localhost').pathname);
      if (!handler) {
        // gRPC clients read HTTP 404 as UNIMPLEMENTED; Connect's protocol says the same.
        response.writeHead(404).end();
        return;
      }
      const values = createContextValues();
      if (durableClient) values.set(runStarterKey, durableClient);
      const universal = universalRequestFromNodeRequest(request, response, undefined, values);
      handler(universal)
        .then((answer) => universalResponseToNodeResponse(answer, response))
        .catch((error: unknown) => {
          console.error('gRPC server: a response failed', error);
          if (!response.headersSent) response.writeHead(500);
          response.end();
        });
    },
    options.host,
    options.port,
    { requestTimeoutMs: rpcRouterOptions.maxTimeoutMs },
  );
  const port = listener.port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    stop() {
      // Handlers see the shutdown signal and end their streams; clients' idle connections would keep the port open.
      stopping.abort();
      return listener.close(2_000);
    },
  };
}
