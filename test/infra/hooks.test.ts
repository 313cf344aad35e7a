import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimpleYaml, read, root } from './bicep-source.js';
import { runProcess } from './run-process.js';

// The hooks are plain JavaScript (they run before any build); their helpers are typed here.
const hookModule = (file: string): Promise<unknown> => import(pathToFileURL(join(root, 'infra', 'hooks', file)).href);
const { windowsCommandLine } = (await hookModule('azure-cli.mjs')) as { windowsCommandLine: (args: readonly string[]) => string };
const { subscriptionName, wantedSubscriptions } = (await hookModule('postdeploy.mjs')) as {
  subscriptionName: (functionName: string) => string;
  wantedSubscriptions: (functions: unknown) => Array<{ name: string; functionName: string; container: string }>;
};

/**
 * The azd hooks, run the way azd runs them (azure.yaml's posix command line, in sh, from the
 * project folder) against test/infra/fake-az.mjs on PATH in place of the Azure CLI, which
 * cannot reach Azure here. What only Azure can show (a real Grafana import, Event Grid's webhook
 * validation) is listed in docs/deploy.md.
 */

interface Hook {
  shell: string;
  run: string;
  continueOnError: string;
  interactive: string;
}

const azureYaml = parseSimpleYaml(read('azure.yaml')) as { hooks: Record<string, { posix: Hook; windows: Hook }> };

const scratch = mkdtempSync(join(tmpdir(), 'arbor-hooks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const bin = join(scratch, 'bin');
const fakeAz = join(root, 'test', 'infra', 'fake-az.mjs');
mkdirSync(bin);
writeFileSync(join(bin, 'az'), `#!/bin/sh\nexec "${process.execPath}" "${fakeAz}" "$@"\n`);
chmodSync(join(bin, 'az'), 0o755);

interface Subscription {
  name: string;
  provisioningState: string;
  destination: { endpointBaseUrl: string };
  filter: { subjectBeginsWith: string; includedEventTypes: string[] };
  retryPolicy?: { maxDeliveryAttempts: number };
  endpointUrl?: string;
}

interface FakeState {
  calls: string[][];
  resourceGroup: string;
  functionApp: string;
  systemTopic: string;
  extensions: string[];
  grafana: { name: string; refuseImports: number; dashboards: Record<string, string> };
  keyListsBeforeBlobsKey: number;
  blobsExtensionKey: string;
  validationFailures: number;
  functions: unknown[];
  subscriptions: Subscription[];
}

const baseUrl = 'https://func-arbor-test.azurewebsites.net';
const webhook = `${baseUrl}/runtime/webhooks/blobs`;

const blobFunction = (name: string, path: string) => ({
  name: `func-arbor-test/${name}`,
  config: { bindings: [{ name: 'blob', type: 'blobTrigger', direction: 'in', path, source: 'EventGrid', connection: 'AzureWebJobsStorage' }] },
});

function freshState(overrides: Partial<FakeState> = {}): FakeState {
  return {
    calls: [],
    resourceGroup: 'rg-test',
    functionApp: 'func-arbor-test',
    systemTopic: 'starbortest-topic',
    extensions: [],
    grafana: { name: 'graf-arbor-test', refuseImports: 0, dashboards: {} },
    keyListsBeforeBlobsKey: 0,
    blobsExtensionKey: 'blobs-key-1',
    validationFailures: 0,
    functions: [
      blobFunction('catalog-landed-file', 'landing/{name}'),
      blobFunction('ingest-feature-file', 'ingest/{name}'),
      blobFunction('ingest-rag-document', 'documents/{name}'),
      { name: 'func-arbor-test/health', config: { bindings: [{ type: 'httpTrigger', direction: 'in', name: 'request' }] } },
    ],
    subscriptions: [],
    ...overrides,
  };
}

const azdEnv = {
  AZURE_RESOURCE_GROUP: 'rg-test',
  AZURE_FUNCTION_APP_NAME: 'func-arbor-test',
  AZURE_STORAGE_SYSTEM_TOPIC_NAME: 'starbortest-topic',
  SERVICE_API_BASE_URL: baseUrl,
  AZURE_GRAFANA_NAME: 'graf-arbor-test',
};

/** Runs a hook as azd's posix entry does, with the fake CLI; returns its exit, output and the fake's state. */
async function runHook(name: string, state: FakeState, env: Record<string, string | undefined> = azdEnv) {
  const statePath = join(scratch, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(statePath, JSON.stringify(state));
  const hook = azureYaml.hooks[name]?.posix as Hook;
  const childEnv: Record<string, string> = { PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_AZ_STATE: statePath, ARBOR_HOOK_RETRY_BASE_MS: '1' };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  const result = await runProcess(hook.shell, ['-c', hook.run], { cwd: root, env: childEnv, timeoutMs: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stderr: result.stderr, state: JSON.parse(readFileSync(statePath, 'utf8')) as FakeState };
}

const imports = (state: FakeState) => state.calls.filter((c) => c.slice(0, 3).join(' ') === 'grafana dashboard import');
const creates = (state: FakeState) => state.calls.filter((c) => c.slice(0, 4).join(' ') === 'eventgrid system-topic event-subscription create');

describe('azure.yaml hooks', () => {
  it('every hook has an entry for both shells azd supports, running the same script, failing azd when it fails', () => {
    expect(Object.keys(azureYaml.hooks).sort()).toEqual(['postdeploy', 'postprovision']);
    for (const [name, hook] of Object.entries(azureYaml.hooks)) {
      expect(hook.posix, name).toMatchObject({ shell: 'sh', continueOnError: 'false', interactive: 'false' });
      expect(hook.windows, name).toMatchObject({ shell: 'pwsh', continueOnError: 'false', interactive: 'false' });
      expect(hook.windows.run, name).toBe(hook.posix.run);
      const script = /^node \.\/(infra\/hooks\/[\w-]+\.mjs)$/.exec(hook.posix.run)?.[1];
      expect(script, `${name}: run should be "node ./infra/hooks/<name>.mjs"`).toBe(`infra/hooks/${name}.mjs`);
    }
  });

  it('passes arguments to az.cmd through cmd.exe literally, and refuses what cmd.exe would rewrite', () => {
    const url = `${webhook}?functionName=Host.Functions.a&code=k==`;
    expect(windowsCommandLine(['eventgrid', '--endpoint', url, '--query', "[?a=='b'] | [0]"])).toBe(`"az "eventgrid" "--endpoint" "${url}" "--query" "[?a=='b'] | [0]""`);
    expect(() => windowsCommandLine(['--x', '%PATH%'])).toThrow(/cmd\.exe/);
    expect(() => windowsCommandLine(['--x', 'say "hi"'])).toThrow(/cmd\.exe/);
  });
});

// Every az call of a hook starts a Node.js process: minutes on a busy machine, seconds otherwise.
describe('postprovision: Grafana dashboards', { timeout: 240_000 }, () => {
  const dashboards = readdirSync(join(root, 'infra', 'monitoring', 'dashboards')).filter((f) => f.endsWith('.json'));

  it('waits out a Grafana Admin role that has not propagated, then imports every dashboard', async () => {
    const run = await runHook('postprovision', freshState({ grafana: { name: 'graf-arbor-test', refuseImports: 3, dashboards: {} } }));
    expect(run.status, run.output).toBe(0);
    expect(Object.keys(run.state.grafana.dashboards).sort()).toEqual(dashboards.map((f) => `arbor-${f.replace(/\.json$/, '')}`).sort());
    expect(dashboards.length).toBe(8); // platform, features, pipelines, drift, vectors, rag, serving, rollouts
    expect(imports(run.state).length).toBe(dashboards.length + 3);
    expect(run.output.match(/attempt \d+ of 7 failed/g)?.length).toBe(3);
    expect(run.state.extensions).toEqual(['amg']);
  });

  it('is idempotent: a second run overwrites the same dashboards and adds nothing', async () => {
    const first = await runHook('postprovision', freshState());
    const second = await runHook('postprovision', { ...first.state, calls: [] });
    expect(second.status, second.output).toBe(0);
    expect(second.state.grafana.dashboards).toEqual(first.state.grafana.dashboards);
    expect(second.state.extensions).toEqual(['amg']);
    expect(second.state.calls.some((c) => c.slice(0, 2).join(' ') === 'extension add')).toBe(false);
  });

  it('fails loudly, naming the dashboard and the way to re-run, when the import never succeeds', async () => {
    const run = await runHook('postprovision', freshState({ grafana: { name: 'graf-arbor-test', refuseImports: 1000, dashboards: {} } }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/postprovision failed: .*Forbidden/);
    expect(run.stderr).toContain('azd hooks run postprovision');
    expect(run.output).toContain(`Grafana: import ${[...dashboards].sort()[0]}: attempt 6 of 7 failed`);
    expect(imports(run.state).length).toBe(7);
  });

  it('does nothing when Grafana is not deployed', async () => {
    const run = await runHook('postprovision', freshState(), { ...azdEnv, AZURE_GRAFANA_NAME: '' });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('Grafana not deployed');
    expect(run.state.calls).toEqual([]);
  });
});

describe('postdeploy: Event Grid subscriptions for the blob triggers', { timeout: 240_000 }, () => {
  it('reads the blob triggers of the deployed app', () => {
    expect(wantedSubscriptions(freshState().functions)).toEqual([
      { name: 'catalog-landed-file', functionName: 'catalog-landed-file', container: 'landing' },
      { name: 'ingest-feature-file', functionName: 'ingest-feature-file', container: 'ingest' },
      { name: 'ingest-rag-document', functionName: 'ingest-rag-document', container: 'documents' },
    ]);
    expect(subscriptionName('a.b_c')).toBe('a-b-c');
    expect(subscriptionName('x'.repeat(80))).toHaveLength(64);
    expect(() => wantedSubscriptions([blobFunction('f', '%CONTAINER%/{name}')])).toThrow(/cannot read the blob trigger/);
  });

  it('waits for the blobs key and Event Grid validation, subscribes each trigger to its container, removes stale ones', async () => {
    const foreign: Subscription = { name: 'someone-else', provisioningState: 'Succeeded', destination: { endpointBaseUrl: 'https://other.example/hook' }, filter: { subjectBeginsWith: '/x', includedEventTypes: [] } };
    const stale: Subscription = { name: 'removed-function', provisioningState: 'Succeeded', destination: { endpointBaseUrl: webhook }, filter: { subjectBeginsWith: '/blobServices/default/containers/old/', includedEventTypes: [] } };
    const run = await runHook('postdeploy', freshState({ keyListsBeforeBlobsKey: 2, validationFailures: 2, subscriptions: [foreign, stale] }));
    expect(run.status, run.output).toBe(0);
    const byName = new Map(run.state.subscriptions.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['catalog-landed-file', 'ingest-feature-file', 'ingest-rag-document', 'someone-else']);
    const expected = { 'catalog-landed-file': 'landing', 'ingest-feature-file': 'ingest', 'ingest-rag-document': 'documents' };
    for (const [name, container] of Object.entries(expected)) {
      const subscription = byName.get(name) as Subscription;
      expect(subscription.filter).toEqual({ subjectBeginsWith: `/blobServices/default/containers/${container}/`, includedEventTypes: ['Microsoft.Storage.BlobCreated'] });
      expect(subscription.endpointUrl).toBe(`${webhook}?functionName=Host.Functions.${name}&code=blobs-key-1`);
      expect(subscription.retryPolicy?.maxDeliveryAttempts).toBe(30);
    }
    expect(creates(run.state).length).toBe(3 + 2);
    expect(run.state.calls.filter((c) => c[0] === 'functionapp' && c[1] === 'keys').length).toBe(3);
  });

  it('is idempotent: a second run leaves the same subscriptions, with a rotated key picked up', async () => {
    const first = await runHook('postdeploy', freshState());
    expect(first.status, first.output).toBe(0);
    const second = await runHook('postdeploy', { ...first.state, calls: [], blobsExtensionKey: 'blobs-key-2' });
    expect(second.status, second.output).toBe(0);
    const shape = (s: Subscription[]) => s.map(({ name, filter, destination }) => ({ name, filter, destination })).sort((a, b) => a.name.localeCompare(b.name));
    expect(shape(second.state.subscriptions)).toEqual(shape(first.state.subscriptions));
    expect(second.state.subscriptions.length).toBe(3);
    expect(second.state.subscriptions.every((s) => s.endpointUrl?.endsWith('&code=blobs-key-2'))).toBe(true);
    expect(second.state.calls.some((c) => c.includes('delete'))).toBe(false);
  });

  it('fails loudly when a subscription cannot be validated, naming it and the way to re-run', async () => {
    const run = await runHook('postdeploy', freshState({ validationFailures: 1000 }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/postdeploy failed: .*validation handshake failed/);
    expect(run.stderr).toContain('azd hooks run postdeploy');
    expect(run.output).toContain('Event Grid subscription catalog-landed-file: attempt 6 of 7 failed');
    expect(run.state.subscriptions).toEqual([]);
  });

  it('fails when the app has no blob trigger key at all, and when run outside azd', async () => {
    const noKey = await runHook('postdeploy', freshState({ keyListsBeforeBlobsKey: 1000 }));
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain('the host has not indexed a blob-triggered function');
    const outside = await runHook('postdeploy', freshState(), { ...azdEnv, AZURE_STORAGE_SYSTEM_TOPIC_NAME: undefined });
    expect(outside.status).toBe(1);
    expect(outside.stderr).toContain('AZURE_STORAGE_SYSTEM_TOPIC_NAME is not set');
    expect(outside.state.calls).toEqual([]);
  });
});
