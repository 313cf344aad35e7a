import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import type { JsonAnswer } from '../support/json-api.js';
import { pipelinesApi } from '../support/pipelines-api.js';
import { registerTwoVersions } from '../support/serving-rollouts.js';

const functionKey = 'console-test-key-0123456789abcdef';
const chromiumPath = '/usr/bin/chromium';
const screenshots = join(process.cwd(), '.arbor', 'console-screenshots');

/**
 * A loopback server whose answers wait until the test opens the gate: the `http.call` step that
 * calls it stays running for as long as the test needs to look at it, with no sleep to guess.
 */
async function startGate(): Promise<{ url: string; refusing: string; open(): void; stop(): Promise<void> }> {
  const waiting: ServerResponse[] = [];
  let opened = false;
  const answer = (response: ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"gate":"open"}');
  const server: Server = createServer((request, response) => {
    // /refuse: a 400 at once, which a step does not retry (the same input would fail the same way).
    if (request.url === '/refuse') return void response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"refused by the test"}');
    if (opened) answer(response);
    else waiting.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gate`,
    refusing: `http://127.0.0.1:${(server.address() as AddressInfo).port}/refuse`,
    open() {
      opened = true;
      for (const response of waiting.splice(0)) answer(response);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the page shows, waited for: the page polls the API, and this machine's two cores are shared. */
const poll = <T,>(read: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) => expect.poll(read, { timeout: 10_000, interval: 100, ...options });

/** A GET with the path sent as written: fetch would resolve `..` before it left. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('the web console in a real browser (Debian chromium)', () => {
  let host: HostProcess;
  let gate: Awaited<ReturnType<typeof startGate>>;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const browserErrors: string[] = [];
  let traffic: { stop(): Promise<void> } | undefined;
  const model = uniqueName('console-model');
  const endpoint = uniqueName('console-ep');
  let rolloutId: string;
  let data: { rollout: Promise<void>; features: Promise<void>; vectors: Promise<void>; failedRun: Promise<string> };
  const view = uniqueName('console_view', '_');
  const collection = uniqueName('console-vectors');

  /** A JSON call to the host with the function key, as every caller of a keyed host sends it. */
  const call = async (method: string, path: string, body?: unknown): Promise<JsonAnswer> => {
    const response = await fetch(`${host.url}/api/${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-functions-key': functionKey },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : {} };
  };

  /** Predict requests back to back, so the rollout's checks have figures for both variants. */
  function startTraffic(): { stop(): Promise<void> } {
    let stopped = false;
    const loops = Array.from({ length: 1 }, async () => {
      while (!stopped) {
        await call('POST', `endpoints/${endpoint}/predict`, { inputs: { a: [Math.random() * 4 - 2], b: [Math.random() * 4 - 2] } }).catch(() => undefined);
        // Paced: enough requests for each 1 s check, without starving the host the pipeline test uses.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    return {
      async stop() {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  beforeAll(async () => {
    // No skip: CI installs chromium (.ci/run), and a console test that did not run is a failure.
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`);
    await mkdir(screenshots, { recursive: true });
    gate = await startGate();
    userDataDir = await mkdtemp(join(tmpdir(), 'arbor-console-chromium-'));
    [host, context] = await Promise.all([
      // The gate is on loopback, which the egress policy refuses unless listed.
      startHostProcess({ ARBOR_FUNCTION_KEY: functionKey, ARBOR_EGRESS_ALLOW: '127.0.0.1', ARBOR_STEP_DEFAULT_TIMEOUT_SECONDS: '20' }),
      chromium.launchPersistentContext(userDataDir, {
        executablePath: chromiumPath,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1280, height: 800 },
      }),
    ]);
    page = context.pages()[0] ?? (await context.newPage());
    // Script errors and refused loads (a CSP violation is logged as an error), for the last test.
    page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) browserErrors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) browserErrors.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });

    // A model with two versions behind an endpoint, and a canary rollout of v2 running under
    // traffic while the pipeline test goes on: by the serving test it has checks to show.
    const rollout = async () => {
      await registerTwoVersions(call, model);
      expect((await call('PUT', `endpoints/${endpoint}`, { description: 'console test', variants: [{ name: 'stable', model, version: 1, weight: 100 }] })).status).toBe(201);
      traffic = startTraffic();
      const started = await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2 }, steps: [50, 100], intervalSeconds: 1, analysis: { minRequests: 3, maxErrorRate: 0.5 }, failureLimit: 2 });
      expect(started.status, started.text).toBe(202);
      rolloutId = started.body.id as string;
      // Traffic only while the rollout runs: its checks need it, the other tests' host time does not.
      await eventually(async () => ((await call('GET', `endpoints/${endpoint}/rollouts/${rolloutId}`)).body.state === 'running' ? undefined : true), 30_000, 250);
      await traffic?.stop();
    };
    // A feature view with offline rows whose values moved (a drift report flags it), and a
    // materialization job; a vector collection with items and a snapshot.
    const features = async () => {
      const applied = await call('POST', 'features/registry', {
        entities: [{ name: `${view}_card`, joinKeys: [{ name: 'card_id', type: 'int64' }] }],
        featureViews: [{ name: view, entity: `${view}_card`, ttlSeconds: 86_400, online: true, source: 'console test', features: [{ name: 'spend', type: 'float64' }, { name: 'visits', type: 'float64' }] }],
      });
      expect(applied.status, applied.text).toBe(200);
      const hour = 3_600_000;
      const now = Date.now();
      const rows = Array.from({ length: 60 }, (_, i) => {
        const current = i >= 30;
        return { card_id: i, event_timestamp: new Date(now - (current ? 2 : 48) * hour - i * 1000).toISOString(), spend: current ? 500 + i : i, visits: i % 7 };
      });
      expect((await call('POST', 'features/push', { view, to: 'offline', rows })).status).toBe(200);
      const job = await call('POST', 'features/materialize?async=true', { view });
      expect(job.status, job.text).toBe(202);
      const drift = await call('POST', 'drift/run', { view, reference: { start: new Date(now - 72 * hour).toISOString(), end: new Date(now - 24 * hour).toISOString() }, current: { lastHours: 12 } });
      expect(drift.status, drift.text).toBe(200);
    };
    const vectors = async () => {
      expect((await call('PUT', `collections/${collection}`, { dimension: 2, metric: 'l2', shards: 2 })).status).toBe(201);
      const items = Array.from({ length: 12 }, (_, i) => ({ id: `item-${i}`, vector: [i, i / 2] }));
      expect((await call('POST', `collections/${collection}/items`, { items })).status).toBe(200);
      expect((await call('POST', `collections/${collection}/snapshot`)).status).toBe(200);
    };
    // Made while the first tests run (they need none of it); each test below waits for its part.
    const settled = <T,>(promise: Promise<T>) => (promise.catch(() => undefined), promise);
    // A run whose second step fails, and one step after it that never runs.
    const failedRun = async () => {
      const api = pipelinesApi(host, functionKey);
      const name = uniqueName('console-failing');
      const registered = await api.register({ name, steps: [{ id: 'fetch', uses: 'http.call', with: { url: gate.refusing } }, { id: 'after', uses: 'noop', dependsOn: ['fetch'] }] });
      expect(registered.status, await registered.clone().text()).toBe(201);
      return (await api.finished(await api.start(name))).runId;
    };
    data = { rollout: settled(rollout()), features: settled(features()), vectors: settled(vectors()), failedRun: settled(failedRun()) };
  });
  afterAll(async () => {
    gate?.open();
    if (data) await Promise.allSettled(Object.values(data));
    await traffic?.stop();
    await context?.close();
    await host?.stop();
    await gate?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    if (host) {
      const redis = redisClient();
      await deleteRedisPrefix(redis, host.redisPrefix);
      redis.disconnect();
    }
  });

  const consoleUrl = () => `${host.url}/api/console/`;

  it('asks for the function key, and shows the API refusing a wrong one', async () => {
    await page.goto(consoleUrl());
    await poll(() => page.locator('#main .error').textContent()).toMatch(/function key \(401\)/);
    await page.fill('#key', functionKey);
    await page.click('#key-form button');
    await poll(() => page.locator('#main h1').textContent()).toBe('Pipelines');
  });

  it('draws a run as a graph of its steps, colours them as the run moves, and shows a step when clicked', async () => {
    const api = pipelinesApi(host, functionKey);
    const name = uniqueName('console-pipe');
    const registered = await api.register({
      name,
      steps: [
        { id: 'extract', uses: 'noop', with: { echo: { rows: 3 } } },
        { id: 'wait', uses: 'http.call', with: { url: gate.url }, dependsOn: ['extract'] },
        { id: 'score', uses: 'noop', with: { echo: { scored: 2 } }, dependsOn: ['extract'] },
        { id: 'publish', uses: 'noop', with: { echo: { rows: '${{ steps.extract.outputs.rows }}' } }, dependsOn: ['wait', 'score'] },
      ],
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const runId = await api.start(name);

    await page.goto(`${consoleUrl()}#/pipelines`);
    await page.locator(`a.pipeline-link:text-is("${name}")`).waitFor();
    await page.screenshot({ path: join(screenshots, 'pipelines.png'), fullPage: true });
    await page.click(`a.pipeline-link:text-is("${name}")`);
    await page.locator(`a.run-link:text-is("${runId}")`).waitFor();
    expect(await page.locator('#runs tr', { hasText: runId }).textContent()).toMatch(/running|pending/);
    await page.screenshot({ path: join(screenshots, 'runs.png'), fullPage: true });
    await page.click(`a.run-link:text-is("${runId}")`);
    const node = (step: string) => page.locator(`svg.dag g.dag-node[data-step="${step}"]`);
    // Every step is drawn with its name and the type it uses, and an arrow per dependency.
    for (const step of ['extract', 'wait', 'score', 'publish']) await poll(() => node(step).locator('text.dag-name').textContent()).toBe(step);
    await poll(() => node('wait').locator('text.dag-uses').textContent()).toBe('http.call');
    expect(await page.locator('svg.dag path.dag-edge').count()).toBe(4);
    // The gate holds `wait`: it shows running, and `publish` waits for it.
    await poll(() => node('wait').getAttribute('class')).toContain('state-running');
    await poll(() => node('extract').getAttribute('class')).toContain('state-succeeded');
    expect(await node('publish').getAttribute('class')).toContain('state-pending');
    await page.screenshot({ path: join(screenshots, 'run-running.png'), fullPage: true });

    await node('extract').click();
    await poll(() => page.locator('#step-detail h2').textContent()).toMatch(/Step extract\s*succeeded/);
    expect(await page.locator('#step-detail .attempts').textContent()).toBe('1');
    expect(await page.locator('#step-detail .step-outputs').textContent()).toContain('"rows": 3');

    gate.open();
    // The page polls: with no reload, the last step turns succeeded, and the run with it.
    await poll(() => node('publish').getAttribute('class'), { timeout: 15_000 }).toContain('state-succeeded');
    await poll(() => page.locator('#run-state').textContent()).toBe('succeeded');
    expect(await node('wait').getAttribute('class')).toContain('state-succeeded');
    await node('publish').click();
    await poll(() => page.locator('#step-detail h2').textContent()).toMatch(/Step publish\s*succeeded/);
    expect(await page.locator('#step-detail .step-outputs').textContent()).toContain('"rows": 3');
    await page.screenshot({ path: join(screenshots, 'run-succeeded.png'), fullPage: true });
  });

  it("shows a failed step in red with its error, and the step after it as never run", async () => {
    await page.goto(`${consoleUrl()}#/runs/${await data.failedRun}`);
    const node = (step: string) => page.locator(`svg.dag g.dag-node[data-step="${step}"]`);
    await poll(() => node('fetch').getAttribute('class')).toContain('state-failed');
    expect(await page.locator('#run-state').textContent()).toBe('failed');
    expect(await node('after').getAttribute('class')).toMatch(/state-(upstream_failed|pending|skipped)/);
    await node('fetch').click();
    await poll(() => page.locator('#step-detail .step-error').textContent()).toMatch(/answered 400/);
    await page.screenshot({ path: join(screenshots, 'run-failed.png'), fullPage: true });
  });

  it('shows endpoints with their variants and weights, a model and its versions, and a rollout with its checks charted', async () => {
    await data.rollout;
    await page.goto(`${consoleUrl()}#/serving`);
    const row = page.locator('#endpoints tr', { hasText: endpoint });
    // Stable at v1, or v2 once the canary was promoted: the model and a weight either way.
    await poll(() => row.textContent()).toMatch(new RegExp(`stable: ${model} v[12]`));
    expect(await row.textContent()).toContain('%');
    await page.screenshot({ path: join(screenshots, 'endpoints.png'), fullPage: true });

    await row.locator('a.endpoint-link').click();
    await poll(() => page.locator('#variants').textContent()).toContain(model);
    await poll(() => page.locator('#rollouts').textContent()).toContain(`${model} v2`);
    await page.click(`a.rollout-link:text-is("${rolloutId}")`);
    // The healthy canary is promoted (the page polls until it ends); each check is a row with
    // its decision, the last one the promotion, and the figures are drawn as three charts.
    await poll(() => page.locator('#rollout-state').textContent(), { timeout: 15_000 }).toBe('promoted');
    expect(await page.locator('#checks tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#checks tbody tr').last().textContent()).toContain('promote');
    for (const chart of ['weight', 'p99', 'error-rate']) await poll(() => page.locator(`[data-chart="${chart}"] canvas`).count()).toBe(1);
    expect(await page.locator('[data-chart="p99"]').textContent()).toContain('candidate');
    await page.screenshot({ path: join(screenshots, 'rollout.png'), fullPage: true });

    await page.goto(`${consoleUrl()}#/models/${model}`);
    await poll(() => page.locator('#versions tbody tr').count()).toBe(2);
    expect(await page.locator('h1').textContent()).toBe(`Model ${model}`);
    await page.screenshot({ path: join(screenshots, 'model.png'), fullPage: true });
  });

  it('shows feature views with their last materialization, and a view with its features and jobs', async () => {
    await data.features;
    await page.goto(`${consoleUrl()}#/features`);
    const row = page.locator('#views tr', { hasText: view });
    await poll(() => row.textContent()).toContain('spend, visits');
    // The materialization job runs on its own: the page shows its end once it succeeded.
    await poll(async () => {
        await page.reload();
        return (await row.textContent({ timeout: 2_000 }).catch(() => '')) ?? '';
      }, { timeout: 15_000, interval: 500 })
      .not.toMatch(/never/);
    await page.screenshot({ path: join(screenshots, 'features.png'), fullPage: true });
    await row.locator('a.view-link').click();
    await poll(() => page.locator('#features').textContent()).toContain('visits');
    expect(await page.locator('#jobs').textContent()).toMatch(/materialize.*succeeded/);
    await page.screenshot({ path: join(screenshots, 'feature-view.png'), fullPage: true });
  });

  it('shows vector collections with their items, shards and last snapshot', async () => {
    await data.vectors;
    await page.goto(`${consoleUrl()}#/collections`);
    const row = page.locator('#collections tr', { hasText: collection });
    await poll(() => row.locator('td').nth(1).textContent()).toBe('12');
    expect(await row.locator('td').last().textContent()).not.toBe('none');
    await page.screenshot({ path: join(screenshots, 'collections.png'), fullPage: true });
    await row.locator('a.collection-link').click();
    await poll(() => page.locator('#shards tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(screenshots, 'collection.png'), fullPage: true });
  });

  it('shows drift reports: the shifted feature flagged against its threshold, the steady one not', async () => {
    await data.features;
    await page.goto(`${consoleUrl()}#/drift`);
    const row = page.locator('#drift-views tr', { hasText: view });
    await poll(() => row.textContent()).toContain('drifted');
    expect(await row.textContent()).toContain('spend');
    await page.screenshot({ path: join(screenshots, 'drift-views.png'), fullPage: true });
    await row.locator('a.drift-link').click();
    const feature = (name: string) => page.locator('#drift-features tr', { hasText: name });
    // ks: a p-value, drifting below its threshold; spend moved by 500, visits did not.
    await poll(() => feature('spend').textContent()).toMatch(/p \S+ < 0\.05 \(drift below\)\s*drifted/);
    expect(await feature('visits').textContent()).toMatch(/≥ 0\.05 \(drift below\)\s*stable/);
    // Reference and current side by side: spend's reference 0..29 fills its ten decile bins a
    // tenth each; every current value (530..559) is past the last edge, so the last bin holds all.
    const spend = page.locator('[data-histogram="spend"]');
    await poll(() => spend.locator('rect').count()).toBe(20);
    expect(await spend.locator('rect[data-window="reference"]').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-share')))).toEqual(Array(10).fill('0.100'));
    expect(await spend.locator('rect[data-window="current"]').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-share')))).toEqual([...Array(9).fill('0.000'), '1.000']);
    expect(await page.locator('[data-histogram="visits"] rect').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-chart="drift-scores"] canvas').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'drift.png'), fullPage: true });
  });

  it('serves its files with their types and caching, and no file outside them', async () => {
    const index = await fetch(consoleUrl());
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = /src="\/api\/console\/(assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${consoleUrl()}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // package.json and local.settings.json are real files beside dist/: none is served.
    for (const path of [
      '/api/console/../../package.json',
      '/api/console/..%2f..%2fpackage.json',
      '/api/console/%2e%2e/%2e%2e/package.json',
      '/api/console/assets/..%2f..%2f..%2flocal.settings.json',
      '/api/console/..%5c..%5cpackage.json',
      '/api/console/%2fetc%2fpasswd',
      '/api/console/index.html%00.js',
      '/api/console/no-such-file.js',
    ]) {
      const answer = await rawGet(host.url, path);
      expect([400, 404], `${path}: ${answer.status}`).toContain(answer.status);
      expect(answer.body, path).not.toContain('"dependencies"');
      expect(answer.body, path).not.toContain('root:');
      expect(answer.body, path).not.toContain('IsEncrypted');
    }
  });

  // Runs last: every page above loaded and ran without a script error, a refused load or a
  // failed request, but the 401s the first test provoked on purpose.
  it('ran every page without a script error, a Content-Security-Policy refusal or a failed request', () => {
    expect(browserErrors.filter((error) => !/^401 \/api\/pipelines$/.test(error))).toEqual([]);
  });
});
