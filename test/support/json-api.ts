import type { HostProcess } from './host-process.js';

export interface JsonAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else {}. Loose on purpose: tests assert its shape. */
  body: Record<string, any>;
}

/** Calls a host's /api routes with JSON bodies and reads the answer whole. */
export function jsonApi(host: () => HostProcess): (method: string, path: string, body?: unknown) => Promise<JsonAnswer> {
  return async (method, path, body) => {
    const response = await fetch(`${host().url}/api/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as Record<string, any>) : {};
    return { status: response.status, headers: response.headers, text, body: json };
  };
}
