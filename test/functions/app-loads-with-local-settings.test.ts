import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLocalSettings } from '../../shared/platform/settings.js';

const functionsRoot = join(import.meta.dirname, '..', '..', 'functions');

/** Each trigger file registers the one function it is named after (trigger-file-names.test.ts). */
function expectedFunctions(dir = functionsRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return expectedFunctions(path);
    if (!entry.name.endsWith('.ts') || entry.name === 'index.ts') return [];
    return /\b(?:df\.)?app\.(?:client\.)?(?!hook\b|setup\b)\w+\(/.test(readFileSync(path, 'utf8')) ? [basename(path, '.ts')] : [];
  });
}

function loadApp(env: Record<string, string>): { functions: string[]; errors: string[] } {
  const result = spawnSync(process.execPath, [join('dist', 'test', 'fixtures', 'load-app.js')], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { functions: string[]; errors: string[] };
}

describe('func start with nothing but local.settings.json', () => {
  it('registers every function, with no setting problem to report', () => {
    const values = readLocalSettings();
    expect(values).not.toHaveProperty('COSMOS_ENDPOINT');
    const loaded = loadApp(values);
    expect(loaded.functions).toEqual(expectedFunctions().sort());
    expect(loaded.functions.length).toBeGreaterThan(40);
    expect(loaded.errors).toEqual([]);
  });

  it('still registers every function with malformed settings, and names each problem once at load', () => {
    const loaded = loadApp({ ...readLocalSettings(), COSMOS_DATABASE: 'bad name!', ARBOR_HEARTBEAT_SCHEDULE: 'every minute' });
    expect(loaded.functions).toEqual(expectedFunctions().sort());
    expect(loaded.errors).toEqual([
      expect.stringMatching(/^Arbor setting problem: COSMOS_DATABASE: /),
      expect.stringMatching(/^Arbor setting problem: ARBOR_HEARTBEAT_SCHEDULE: /),
    ]);
  });

  it('carries no obsolete flag (EnableWorkerIndexing is on by default in the v4 model)', () => {
    const values = readLocalSettings();
    expect(values).not.toHaveProperty('AzureWebJobsFeatureFlags');
    expect(values).toMatchObject({ FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
  });
});
