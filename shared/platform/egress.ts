import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a pipeline author's outbound calls may go. An entry is a host name (`api.example.com`),
 * a wildcard over subdomains (`*.example.com`), or an address or CIDR (`10.1.2.3`, `10.0.0.0/8`,
 * `::1`). A call must name an allowed host; and whatever the name, the address it resolves to
 * must not be loopback, link-local (cloud metadata), private or otherwise internal unless an
 * address entry covers it. The check runs on the address the socket really connects to, so a
 * name that resolves differently the second time (DNS rebinding) gains nothing.
 */
export interface EgressPolicy {
  /** Why this URL may not be called, or undefined. Checks scheme and name only (no DNS). */
  urlProblem(url: URL): string | undefined;
  /** Why a resolved address may not be connected to, or undefined. */
  addressProblem(address: string): string | undefined;
  /** A `lookup` for node:http(s) that resolves and refuses internal addresses. */
  lookup: typeof dnsLookup;
}

/** Ranges no outbound call reaches unless an address entry allows them (RFC 6890 and friends). */
const internalRanges: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, including 169.254.169.254 (instance metadata)
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'], // multicast and reserved, through 255.255.255.255
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique local, including fd00:ec2::254 (metadata)
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const internal = new BlockList();
for (const [network, prefix, family] of internalRanges) internal.addSubnet(network, prefix, family);

export class EgressRefusedError extends Error {
  override name = 'EgressRefusedError';
}

/** `::ffff:127.0.0.1` is 127.0.0.1: check the IPv4 address inside a mapped IPv6 one. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The host of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** Parses the allowlist setting (comma or whitespace separated); throws naming a bad entry. */
export function parseEgressAllowlist(text: string | undefined): { names: string[]; suffixes: string[]; addresses: BlockList; entries: string[] } {
  const names: string[] = [];
  const suffixes: string[] = [];
  const addresses = new BlockList();
  const entries = (text ?? '').split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    const lower = entry.toLowerCase();
    const cidr = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(lower);
    if (cidr && isIP(cidr[1] ?? '')) {
      const address = cidr[1] ?? '';
      const prefix = Number(cidr[2]);
      const family = familyOf(address);
      if (prefix > (family === 'ipv4' ? 32 : 128)) throw new Error(`egress allowlist entry "${entry}": prefix too long`);
      addresses.addSubnet(address, prefix, family);
    } else if (isIP(lower.replace(/^\[(.*)\]$/, '$1'))) {
      const address = lower.replace(/^\[(.*)\]$/, '$1');
      addresses.addAddress(address, familyOf(address));
    } else if (/^\*\.[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(lower)) {
      suffixes.push(lower.slice(1));
    } else if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/.test(lower)) {
      names.push(lower);
    } else {
      throw new Error(`egress allowlist entry "${entry}": expected a host name, *.domain, an IP address or a CIDR`);
    }
  }
  return { names, suffixes, addresses, entries };
}

export function createEgressPolicy(allowlist: string | undefined): EgressPolicy {
  const allowed = parseEgressAllowlist(allowlist);
  const addressAllowed = (address: string) => {
    const plain = unmapped(address);
    return allowed.addresses.check(plain, familyOf(plain));
  };
  const addressProblem = (address: string): string | undefined => {
    const plain = unmapped(address);
    if (addressAllowed(plain)) return undefined;
    if (internal.check(plain, familyOf(plain))) return `resolves to ${plain}, an internal address (loopback, link-local, private or metadata)`;
    return undefined;
  };
  const policy: EgressPolicy = {
    urlProblem(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not allowed`;
      if (url.username || url.password) return 'credentials in the URL are not allowed; send them in a header';
      const host = bareHost(url);
      if (isIP(host)) {
        if (!addressAllowed(host) && !allowed.names.includes(host)) return `host ${host} is not in ARBOR_EGRESS_ALLOW`;
        return addressProblem(host);
      }
      const named = allowed.names.includes(host) || allowed.suffixes.some((suffix) => host.endsWith(suffix));
      return named ? undefined : `host ${host} is not in ARBOR_EGRESS_ALLOW`;
    },
    addressProblem,
    lookup: ((hostname: string, options: unknown, callback: unknown) => {
      const done = (typeof options === 'function' ? options : callback) as (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
      const lookupOptions = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean; family?: number };
      dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
        if (error) return done(error, lookupOptions.all ? [] : '');
        for (const { address } of addresses) {
          const problem = addressProblem(address);
          if (problem) return done(new EgressRefusedError(`${hostname} ${problem}`), lookupOptions.all ? [] : '');
        }
        if (lookupOptions.all) return done(null, addresses);
        const first = addresses[0];
        if (!first) return done(new EgressRefusedError(`${hostname} has no address`), '');
        done(null, first.address, first.family);
      });
    }) as typeof dnsLookup,
  };
  return policy;
}

/** A URL as it may appear in logs and run records: no credentials, no query string, no fragment. */
export function redactedUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
