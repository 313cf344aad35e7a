/**
 * The console calls the same public JSON API as any client, with the same function key: the
 * key a person types is kept in this browser's localStorage and sent as x-functions-key.
 */
const keyName = 'arbor.functionKey';

export function functionKey(): string {
  return localStorage.getItem(keyName) ?? '';
}

export function setFunctionKey(key: string): void {
  if (key) localStorage.setItem(keyName, key);
  else localStorage.removeItem(keyName);
}

/** An answer that was not a success, with the API's error code and message when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET /api/<path> as JSON; a non-2xx answer throws an ApiError. */
export async function getJson<T>(path: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = functionKey();
  if (key) headers['x-functions-key'] = key;
  const response = await fetch(`/api/${path}`, { headers, cache: 'no-store' });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}

export const enc = encodeURIComponent;
