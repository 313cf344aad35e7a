import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureJobActivityNames, featureJobOrchestratorNames } from '../../shared/features/job-contract.js';
import { activityNames, orchestratorNames } from '../../shared/pipelines/run-contract.js';
import { rolloutActivityNames, rolloutOrchestratorNames } from '../../shared/serving/rollout-contract.js';

const sourceRoot = join(import.meta.dirname, '..', '..', 'functions');

/** Every trigger file under functions/. */
function triggerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return triggerFiles(path);
    return entry.name.endsWith('.ts') && entry.name !== 'index.ts' ? [path] : [];
  });
}

/** Names a registration may be given by constant rather than by string. */
const constants: Record<string, string> = {
  ...Object.fromEntries(Object.entries(activityNames).map(([key, name]) => [`activityNames.${key}`, name])),
  ...Object.fromEntries(Object.entries(orchestratorNames).map(([key, name]) => [`orchestratorNames.${key}`, name])),
  ...Object.fromEntries(Object.entries(rolloutActivityNames).map(([key, name]) => [`rolloutActivityNames.${key}`, name])),
  ...Object.fromEntries(Object.entries(rolloutOrchestratorNames).map(([key, name]) => [`rolloutOrchestratorNames.${key}`, name])),
  ...Object.fromEntries(Object.entries(featureJobActivityNames).map(([key, name]) => [`featureJobActivityNames.${key}`, name])),
  ...Object.fromEntries(Object.entries(featureJobOrchestratorNames).map(([key, name]) => [`featureJobOrchestratorNames.${key}`, name])),
};

/** The function names a file registers: the first argument of app.http, df.app.activity, df.app.client.timer, ... */
function registeredNames(source: string): string[] {
  const calls = source.matchAll(/\b(?:df\.)?app\.(?:client\.)?(?!hook\b)\w+\(\s*('[^']+'|[\w.]+)\s*,/g);
  return [...calls].map(([, argument]) => {
    const name = (argument as string).startsWith("'") ? (argument as string).slice(1, -1) : constants[argument as string];
    if (!name) throw new Error(`cannot resolve the function name ${argument}`);
    return name;
  });
}

describe('trigger files', () => {
  it('finds the names it checks, by string and by constant', () => {
    expect(registeredNames("app.http('get-run', {")).toEqual(['get-run']);
    expect(registeredNames('df.app.activity(activityNames.step, {')).toEqual([activityNames.step]);
    expect(registeredNames("df.app.client.timer('start-scheduled-runs', {")).toEqual(['start-scheduled-runs']);
    expect(registeredNames('app.hook.preInvocation((context) => {')).toEqual([]);
  });

  it('are named after the one function each registers', () => {
    const files = triggerFiles(sourceRoot);
    expect(files.length).toBeGreaterThan(30);
    const misnamed = files.flatMap((file) => {
      const names = registeredNames(readFileSync(file, 'utf8'));
      const expected = basename(file, '.ts');
      return names.length > 1 || (names.length === 1 && names[0] !== expected) ? [`${relative(sourceRoot, file)} registers ${names.join(', ')}`] : [];
    });
    expect(misnamed).toEqual([]);
  });
});
