import { operationRoutes, type operations } from './api-types.js';

export type OperationId = keyof operations;

/** What an operation takes; the argument may be left out when nothing in it is required. */
type InputArgs<Id extends OperationId> = Record<string, never> extends operations[Id]['input'] ? [input?: operations[Id]['input']] : [input: operations[Id]['input']];

/** An answer: its status narrows its body to what the document says that status carries. */
export type Answer<Id extends OperationId> = {
  [Status in keyof operations[Id]['responses'] & number]: { status: Status; body: operations[Id]['responses'][Status]; headers: Headers };
}[keyof operations[Id]['responses'] & number];

export interface ArborClientOptions {
  /** The app's address, without /api: `http://127.0.0.1:7071` or `https://<app>.azurewebsites.net`. */
  baseUrl: string;
  /** The function key, sent as x-functions-key; left out for a host that needs none. */
  functionKey?: string;
  fetch?: typeof fetch;
}

export interface ArborClient {
  /** Calls an operation by its id (the OpenAPI operationId) and reads its answer whole. */
  call<Id extends OperationId>(id: Id, ...input: InputArgs<Id>): Promise<Answer<Id>>;
}

interface LooseInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`the path parameter "${name}" is required`);
    return encodeURIComponent(value);
  });
}

async function bodyOf(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (/json/.test(type)) {
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }
  if (type.startsWith('text/')) return response.text();
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A typed client of the Arbor API, its types generated from GET /api/openapi.json
 * (client/api-types.ts). Every answer comes back with its status, errors included: a 404 is a
 * value to look at, not an exception.
 */
export function arborClient(options: ArborClientOptions): ArborClient {
  const send = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async call(id, ...args) {
      const route = operationRoutes[id] as { method: string; path: string; bytesType?: string };
      const input = (args[0] ?? {}) as LooseInput;
      const url = new URL(`${base}/api${pathOf(route.path, input.params ?? {})}`);
      for (const [name, value] of Object.entries(input.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
      const headers = new Headers();
      for (const [name, value] of Object.entries(input.headers ?? {})) if (value !== undefined) headers.set(name, value);
      if (options.functionKey) headers.set('x-functions-key', options.functionKey);
      // A copy on its own ArrayBuffer: what fetch takes as a body in the DOM's types and Node's alike.
      let body: string | Uint8Array<ArrayBuffer> | undefined;
      if (input.body instanceof Uint8Array) {
        headers.set('content-type', route.bytesType ?? 'application/octet-stream');
        body = new Uint8Array(input.body);
      } else if (input.body !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(input.body);
      }
      const response = await send(url, { method: route.method, headers, ...(body === undefined ? {} : { body }) });
      const answer = { status: response.status, body: await bodyOf(response), headers: response.headers };
      return answer as unknown as Answer<typeof id>;
    },
  };
}
