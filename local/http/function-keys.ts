import { timingSafeEqual } from 'node:crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** The key a request presents, by header or `?code=`, as Azure accepts it. */
export function presentedKey(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const header = headers['x-functions-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
}

/** Like `func start`, no key is enforced unless one is configured. */
export function isAuthorized(level: AuthLevel, configuredKey: string | undefined, presented: string | undefined): boolean {
  if (level === 'anonymous' || configuredKey === undefined) return true;
  if (presented === undefined) return false;
  const expected = Buffer.from(configuredKey);
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
