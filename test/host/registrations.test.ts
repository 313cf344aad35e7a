import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobTriggeredFunctions, eventually, startHostProcess, type HostProcess } from '../support/host-process.js';
import { blobClient } from '../support/clients.js';
import { featureJobActivityNames, featureJobOrchestratorNames } from '../../shared/features/job-contract.js';
import { activityNames, orchestratorNames } from '../../shared/pipelines/run-contract.js';
import { settingsSchema } from '../../shared/platform/settings.js';
import { rolloutActivityNames, rolloutOrchestratorNames } from '../../shared/serving/rollout-contract.js';

const namedConstants: Record<string, Record<string, string>> = { activityNames, orchestratorNames, rolloutActivityNames, rolloutOrchestratorNames, featureJobActivityNames, featureJobOrchestratorNames };

/** A registration's name: a string literal, or one of the shared name constants. */
function nameOf(argument: string): string {
  const literal = /^'([^']+)'$/.exec(argument);
  if (literal) return literal[1] as string;
  const [group, key] = argument.split('.');
  const value = namedConstants[group ?? '']?.[key ?? ''];
  if (!value) throw new Error(`cannot tell the function name of ${argument}`);
  return value;
}

/** Every registration written in functions/, found by reading the sources, independent of the host. */
function registrationsInSource(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const [name, kind] of registrationsInSource(path)) found.set(name, kind);
      continue;
    }
    if (!entry.endsWith('.ts')) continue;
    const source = readFileSync(path, 'utf8');
    for (const match of source.matchAll(/\b(?:df\.)?app\.(?:client\.)?(\w+)\(\s*('[^']+'|\w+\.\w+)/g)) {
      if (match[1] === 'hook') continue;
      found.set(nameOf(match[2] as string), match[1] as string);
    }
  }
  return found;
}

interface Described {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
  servedBy: string;
  schedule?: string;
  disabled?: boolean;
}

/** The setting each timer's schedule comes from. */
const timerSchedules: Record<string, keyof typeof settingsSchema.shape> = {
  heartbeat: 'ARBOR_HEARTBEAT_SCHEDULE',
  'start-scheduled-runs': 'ARBOR_PIPELINE_SCHEDULER_SCHEDULE',
  'materialize-online-views': 'ARBOR_MATERIALIZE_SCHEDULE',
  'archive-offline-partitions': 'ARBOR_OFFLINE_ARCHIVE_SCHEDULE',
  'snapshot-vector-shards': 'ARBOR_VECTOR_SNAPSHOT_SCHEDULE',
  'purge-expired': 'ARBOR_RETENTION_SCHEDULE',
};

describe('the local host captures and serves every function in functions/index.ts', () => {
  let host: HostProcess;
  let functions: Described[];
  let nextTimerRuns: Record<string, string>;
  let listedAt: number;

  beforeAll(async () => {
    host = await startHostProcess();
    listedAt = Date.now();
    const listing = (await (await fetch(`${host.url}/admin/functions`)).json()) as { functions: Described[]; nextTimerRuns: Record<string, string> };
    functions = listing.functions;
    nextTimerRuns = listing.nextTimerRuns;
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('captures exactly the registrations in the sources, and index.ts imports every function file', () => {
    const inSource = registrationsInSource(join(process.cwd(), 'functions'));
    expect(inSource.size).toBeGreaterThanOrEqual(7);
    expect(functions.map((f) => f.name).sort()).toEqual([...inSource.keys()].sort());
  });

  it('serves every one of them (none left to a trigger the host lacks)', () => {
    expect(functions.filter((f) => f.servedBy === 'none')).toEqual([]);
  });

  it('routes a request to each HTTP function', async () => {
    for (const fn of functions.filter((f) => f.trigger === 'httpTrigger')) {
      const path = (fn.route as string).replace(/\{(\w+)\??\}/g, 'probe-value');
      const method = fn.methods?.[0] ?? 'GET';
      const response = await fetch(`${host.url}/api/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      const body = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { error?: { code: string } }) : {};
      // The function ran: it answered itself rather than the host saying there is no such route.
      expect([404, 405].includes(response.status) && ['route_not_found', 'method_not_allowed'].includes(body.error?.code ?? ''), fn.name).toBe(false);
      // And it handled the probe: a probe value or an empty body is bad input or an unknown
      // resource (4xx), or it succeeds; a 5xx would be a crash the probe found.
      expect(response.status, `${fn.name} ${method} /api/${path}: ${JSON.stringify(body)}`).toBeLessThan(500);
    }
  });

  it('registers each timer on its schema default when no *_SCHEDULE setting is given', () => {
    const timers = functions.filter((f) => f.trigger === 'timerTrigger');
    expect(timers.map((f) => f.name).sort()).toEqual(Object.keys(timerSchedules).sort());
    expect(Object.keys(host.env).filter((name) => name.endsWith('_SCHEDULE'))).toEqual([]);
    for (const fn of timers) {
      const setting = timerSchedules[fn.name] as keyof typeof settingsSchema.shape;
      expect(fn.schedule, `${fn.name} (${setting})`).toBe(settingsSchema.shape[setting].parse(undefined));
    }
  });

  it('schedules each timer, and leaves the blob triggers the settings disable unserved', async () => {
    for (const fn of functions.filter((f) => f.trigger === 'timerTrigger')) {
      expect(Date.parse(nextTimerRuns[fn.name] as string), fn.name).toBeGreaterThan(listedAt - 1_000);
    }
    // Test hosts turn blob triggers off with Azure's AzureWebJobs.<name>.Disabled (test/support/host-process.ts).
    const blobFunctions = functions.filter((f) => f.trigger === 'blobTrigger');
    expect(blobFunctions.map((f) => f.name).sort()).toEqual([...blobTriggeredFunctions].sort());
    expect(blobFunctions.every((f) => f.disabled === true)).toBe(true);
    expect(functions.filter((f) => f.disabled).map((f) => f.name).sort()).toEqual([...blobTriggeredFunctions].sort());
    // A disabled function's container is not watched: nothing is delivered from it.
    const container = blobClient().getContainerClient('ingest');
    await container.createIfNotExists();
    const name = `nobody-${Date.now()}/x.csv`;
    const blobPolls = async () => ((await (await fetch(`${host.url}/admin/functions`)).json()) as { blobPolls: number }).blobPolls;
    const before = await blobPolls();
    await container.getBlockBlobClient(name).upload('a\n1\n', 4);
    // Two more completed passes: at least one began after the upload.
    await eventually(async () => ((await blobPolls()) >= before + 2 ? true : undefined));
    const receipt = blobClient().getContainerClient('azure-webjobs-hosts').getBlobClient(`blobreceipts/${host.env.WEBSITE_SITE_NAME}/ingest-feature-file/ingest/${name}`);
    expect(await receipt.exists()).toBe(false);
    await container.getBlobClient(name).deleteIfExists();
  });
});
