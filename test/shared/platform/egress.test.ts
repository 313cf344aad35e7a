import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressFetch } from '../../../shared/platform/egress-fetch.js';
import { createEgressPolicy, parseEgressAllowlist, redactedUrl } from '../../../shared/platform/egress.js';

let server: Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    hits.push(url);
    if (url === '/to-localhost') return void response.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
    if (url === '/to-metadata') return void response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (url === '/to-same') return void response.writeHead(301, { location: '/ok' }).end();
    if (url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`reached ${url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (allow: string, url: string) =>
  egressFetch(createEgressPolicy(allow), { url, method: 'GET', headers: {}, timeoutMs: 5_000, maxBodyBytes: 1_024 });

describe('the egress policy', () => {
  it('allows only listed hosts, by name, wildcard or address', () => {
    const policy = createEgressPolicy('api.example.com, *.corp.example 203.0.113.0/24');
    expect(policy.urlProblem(new URL('https://api.example.com/x'))).toBeUndefined();
    expect(policy.urlProblem(new URL('https://a.b.corp.example/x'))).toBeUndefined();
    expect(policy.urlProblem(new URL('http://203.0.113.9/'))).toBeUndefined();
    expect(policy.urlProblem(new URL('https://evil.example.com/'))).toMatch(/evil\.example\.com is not in ARBOR_EGRESS_ALLOW/);
    // A wildcard is for subdomains, not a suffix of any name.
    expect(policy.urlProblem(new URL('https://notcorp.example/'))).toMatch(/not in ARBOR_EGRESS_ALLOW/);
    expect(policy.urlProblem(new URL('https://corp.example/'))).toMatch(/not in ARBOR_EGRESS_ALLOW/);
  });

  it('refuses everything when the allowlist is empty', () => {
    const policy = createEgressPolicy('');
    expect(policy.urlProblem(new URL('https://example.com/'))).toMatch(/not in ARBOR_EGRESS_ALLOW/);
  });

  it('refuses internal addresses unless an address entry covers them, even when named', () => {
    const byName = createEgressPolicy('169.254.169.254.nip.example, metadata');
    expect(byName.addressProblem('169.254.169.254')).toMatch(/internal address/);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
      expect(byName.addressProblem(address), address).toMatch(/internal address/);
    }
    expect(byName.addressProblem('93.184.216.34')).toBeUndefined();
    expect(byName.addressProblem('2606:2800:220:1::1')).toBeUndefined();
    const byAddress = createEgressPolicy('10.0.0.0/8 ::1');
    expect(byAddress.addressProblem('10.200.0.1')).toBeUndefined();
    expect(byAddress.addressProblem('::1')).toBeUndefined();
    expect(byAddress.addressProblem('11.0.0.1')).toBeUndefined();
    expect(byAddress.addressProblem('192.168.0.1')).toMatch(/internal address/);
  });

  it('refuses credentials in URLs and schemes other than http(s)', () => {
    const policy = createEgressPolicy('example.com');
    expect(policy.urlProblem(new URL('https://user:secret@example.com/'))).toMatch(/credentials/);
    expect(policy.urlProblem(new URL('ftp://example.com/'))).toMatch(/scheme/);
  });

  it('names the bad entry of a malformed allowlist', () => {
    expect(() => parseEgressAllowlist('good.example, bad_host!')).toThrow(/"bad_host!"/);
    expect(() => parseEgressAllowlist('10.0.0.0/40')).toThrow(/prefix too long/);
  });

  it('redacts credentials, query strings and fragments from URLs it reports', () => {
    expect(redactedUrl('https://u:p@example.com:8443/a/b?token=secret#x')).toBe('https://example.com:8443/a/b');
  });
});

describe('egressFetch against a real loopback server', () => {
  it('reaches an allowed loopback address and reads its body', async () => {
    const response = await get('127.0.0.1', `http://127.0.0.1:${port}/ok`);
    expect(response).toMatchObject({ status: 200, text: 'reached /ok', truncated: false });
  });

  it('refuses loopback without an address entry, before connecting', async () => {
    const before = hits.length;
    await expect(get('example.com', `http://127.0.0.1:${port}/ok`)).rejects.toThrow(/127\.0\.0\.1 is not in ARBOR_EGRESS_ALLOW/);
    expect(hits.length).toBe(before);
  });

  it('checks the resolved address: a listed name that resolves to loopback is refused', async () => {
    const before = hits.length;
    await expect(get('localhost', `http://localhost:${port}/ok`)).rejects.toThrow(/internal address/);
    expect(hits.length).toBe(before);
  });

  it('re-checks every redirect hop', async () => {
    await expect(get('127.0.0.1', `http://127.0.0.1:${port}/to-localhost`)).rejects.toThrow(/localhost is not in ARBOR_EGRESS_ALLOW/);
    await expect(get('127.0.0.1', `http://127.0.0.1:${port}/to-metadata`)).rejects.toThrow(/169\.254\.169\.254 is not in ARBOR_EGRESS_ALLOW/);
    expect(hits).not.toContain('/latest/meta-data/');
    const same = await get('127.0.0.1', `http://127.0.0.1:${port}/to-same`);
    expect(same).toMatchObject({ status: 200, text: 'reached /ok', url: `http://127.0.0.1:${port}/ok` });
    await expect(get('127.0.0.1', `http://127.0.0.1:${port}/loop`)).rejects.toThrow(/more than 5 redirects/);
  });
});
