import { randomBytes, timingSafeEqual } from 'node:crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** The key a request presents, by header or `?code=`, as Azure accepts it. */
export function presentedKey(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const header = headers['x-functions-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
}

/** Compares in constant time, so a caller cannot find the key a byte at a time. */
export function keyMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const want = Buffer.from(expected);
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Like `func start`, no function key is enforced unless one is configured. */
export function isAuthorized(level: AuthLevel, configuredKey: string | undefined, presented: string | undefined): boolean {
  if (level === 'anonymous' || configuredKey === undefined) return true;
  return keyMatches(configuredKey, presented);
}

/** Function and system keys alike (Azure's own keys are longer). */
export const minimumKeyLength = 16;

/**
 * The host's system key, which Azure keeps per extension (`durabletask_extension`) and the
 * local host keeps as one: `ARBOR_SYSTEM_KEY`, or a random key for this process when it is not
 * set. Unlike function keys it is never off: the durable API starts, terminates and purges
 * anything, so only the app's own durable client (which gets the key in its binding's URLs)
 * and whoever was given the key may call it.
 */
export function systemKeyFrom(configured: string | undefined): string {
  if (configured === undefined || configured === '') return randomBytes(32).toString('base64url');
  if (configured.length < minimumKeyLength) throw new Error(`ARBOR_SYSTEM_KEY: must be at least ${minimumKeyLength} characters`);
  return configured;
}
