import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * Entra ID access tokens, checked the way Azure's own front doors check them: an RS256 JWT
 * signed by one of the tenant's published keys, issued by that tenant (v1 or v2 endpoint), for
 * one of this API's audiences, and inside its lifetime. Written on node:crypto: the check is a
 * signature and five claims, and the keys come from the tenant's OpenID key set.
 */
export interface EntraTokenPolicy {
  tenantId: string;
  /** The API's Application ID URI (`api://...`, v1 tokens) and/or client id (v2 tokens). */
  audiences: readonly string[];
  /** `https://login.microsoftonline.com` in Azure's public cloud. */
  authority: string;
}

export interface EntraCaller {
  /** Object id of the user or service principal. */
  objectId: string | undefined;
  /** The client application that asked for the token. */
  clientId: string | undefined;
}

export class TokenRejected extends Error {}

/** Clocks of the issuer and this server may differ by this much. */
const clockSkewSeconds = 300;
/** The tenant rotates its keys every few weeks; a token with an unknown key id fetches them again, at most this often. */
const keyRefreshFloorMs = 60_000;
const keyLifetimeMs = 24 * 60 * 60 * 1000;

const headerSchema = z.object({ alg: z.string(), kid: z.string().min(1), typ: z.string().optional() });
const claimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nbf: z.number().optional(),
  tid: z.string().optional(),
  oid: z.string().optional(),
  appid: z.string().optional(),
  azp: z.string().optional(),
});
const keySetSchema = z.object({ keys: z.array(z.object({ kid: z.string(), kty: z.string() }).passthrough()) });

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejected('the token is not a JWT');
  }
}

export function entraTokenVerifier(policy: EntraTokenPolicy, now: () => number = Date.now): (token: string) => Promise<EntraCaller> {
  const authority = policy.authority.replace(/\/+$/, '');
  const issuers = new Set([`${authority}/${policy.tenantId}/v2.0`, `https://sts.windows.net/${policy.tenantId}/`]);
  const keySetUrl = `${authority}/${policy.tenantId}/discovery/v2.0/keys`;
  let keys = new Map<string, KeyObject>();
  let fetchedAt = -Infinity;
  let fetching: Promise<void> | undefined;

  async function refreshKeys(): Promise<void> {
    const response = await fetch(keySetUrl, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the tenant's signing keys (${keySetUrl}) answered ${response.status}`);
    const set = keySetSchema.parse(await response.json());
    keys = new Map(set.keys.filter((key) => key.kty === 'RSA').map((key) => [key.kid, createPublicKey({ key: key as JsonWebKey, format: 'jwk' })]));
    fetchedAt = now();
  }

  async function keyFor(kid: string): Promise<KeyObject | undefined> {
    const stale = now() - fetchedAt > keyLifetimeMs;
    if (stale || (!keys.has(kid) && now() - fetchedAt > keyRefreshFloorMs)) {
      fetching ??= refreshKeys().finally(() => (fetching = undefined));
      await fetching;
    }
    return keys.get(kid);
  }

  return async (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenRejected('the token is not a JWT');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = headerSchema.safeParse(decodeJson(headerPart));
    if (!header.success) throw new TokenRejected('the token header has no key id');
    // Only RS256: "none" and HMAC algorithms would let a caller choose how the token is checked.
    if (header.data.alg !== 'RS256') throw new TokenRejected(`the token is signed with ${header.data.alg}, not RS256`);
    const key = await keyFor(header.data.kid);
    if (!key) throw new TokenRejected('the token is signed by a key the tenant does not publish');
    const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
    if (!signed) throw new TokenRejected('the token signature does not verify');
    const claims = claimsSchema.safeParse(decodeJson(payloadPart));
    if (!claims.success) throw new TokenRejected('the token lacks iss, aud or exp');
    const { iss, aud, exp, nbf, tid, oid, appid, azp } = claims.data;
    if (!issuers.has(iss) || (tid !== undefined && tid !== policy.tenantId)) throw new TokenRejected('the token was issued by another tenant');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((audience) => policy.audiences.includes(audience))) throw new TokenRejected('the token is for another audience');
    const seconds = now() / 1000;
    if (exp + clockSkewSeconds <= seconds) throw new TokenRejected('the token has expired');
    if (nbf !== undefined && nbf - clockSkewSeconds > seconds) throw new TokenRejected('the token is not valid yet');
    return { objectId: oid, clientId: appid ?? azp };
  };
}
