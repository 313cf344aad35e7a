import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  floorViolations,
  importCycles,
  importSpecifiers,
  readImportGraph,
  twoWayEdges,
  type FloorRules,
  type ImportGraph,
} from '../support/import-floors.js';

/**
 * The floors of docs/architecture.md: functions/ -> capabilities -> shared/pipelines ->
 * shared/platform -> shared/storage, imports running down only; local/ may import the app,
 * never the reverse.
 *
 * A capability may use another one way only, and of the engine only its step-type contract.
 * The capability edges allowed today, and why:
 * - rag -> vectors: RAG indexes and retrieves its chunks through vector search's collections.
 * - drift -> features: drift samples feature views from the offline store and reads the registry.
 * - serving -> features: a model's signature names features; predict reads them from the online
 *   store, and registration checks them against the feature registry.
 */
const rules: FloorRules = {
  allowedCapabilityEdges: [
    { from: 'rag', to: 'vectors' },
    { from: 'drift', to: 'features' },
    { from: 'serving', to: 'features' },
  ],
  // A capability defines its step types with the engine's contract and nothing else of it.
  engineSurface: ['shared/pipelines/step-type.ts'],
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const graph = readImportGraph(root, ['functions', 'shared', 'local']);

describe("Arbor's imports", () => {
  it('are read from the source: every floor is there and has edges', () => {
    const files = [...graph.keys()];
    for (const floor of ['functions/', 'local/', 'shared/storage/', 'shared/platform/', 'shared/pipelines/', 'shared/features/', 'shared/serving/']) {
      expect(files.some((file) => file.startsWith(floor)), floor).toBe(true);
    }
    expect(graph.get('shared/platform/services.ts')).toContain('shared/storage/blob.ts');
  });

  it('run one way between the floors, and between capabilities only along an allowed edge', () => {
    expect(twoWayEdges(rules.allowedCapabilityEdges)).toEqual([]);
    expect(floorViolations(graph, rules)).toEqual([]);
  });

  it('form no circle between files', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('resolve to files that exist', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    expect(missing).toEqual([]);
  });
});

/**
 * The `arbor` CLI (cli/) is a client of the API: it stands outside the floors and calls the app
 * over HTTP through client/. Of shared/ it may read types (erased at build), and the pure edge
 * schemas listed here, which it checks definition files with before anything is sent (so an
 * invalid file applies nothing, and names its line). Nothing in the app imports cli/.
 */
const cliSharedValues = ['shared/features/definitions.ts', 'shared/pipelines/spec.ts', 'shared/serving/definitions.ts'];

/** A cli/ file's imports of app code that are not types only and not an allowed edge schema. */
function cliViolations(root: string, cliGraph: ImportGraph): string[] {
  const violations: string[] = [];
  for (const [file, targets] of cliGraph) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const target of targets) {
      if (target.startsWith('cli/') || target.startsWith('client/')) continue;
      if (cliSharedValues.includes(target)) continue;
      const typeOnly = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s*'([^']+)'/gm)].filter((match) => target.endsWith(match[2]!.replace(/^(\.\.\/)+/, '').replace(/\.js$/, '.ts')));
      if (typeOnly.length && typeOnly.every((match) => match[1])) continue;
      violations.push(`${file} -> ${target}: the CLI reads shared/ for types and the edge schemas only (${cliSharedValues.join(', ')})`);
    }
  }
  return violations;
}

describe("the CLI's imports", () => {
  const cliGraph = readImportGraph(root, ['cli']);
  it('reach the app only through client/, types, and the edge schemas', () => {
    expect([...cliGraph.keys()]).toContain('cli/main.ts');
    expect(cliViolations(root, cliGraph)).toEqual([]);
  });
  it('are never imported by the app', () => {
    const appGraph = readImportGraph(root, ['functions', 'shared', 'local', 'client']);
    expect([...appGraph].flatMap(([file, targets]) => targets.filter((t) => t.startsWith('cli/')).map((t) => `${file} -> ${t}`))).toEqual([]);
  });
  it('are checked: a value import of a service module is reported', () => {
    const violating: ImportGraph = new Map([['cli/commands/apply.ts', ['shared/features/registry.ts']]]);
    expect(cliViolations(root, violating)).toEqual([
      'cli/commands/apply.ts -> shared/features/registry.ts: the CLI reads shared/ for types and the edge schemas only (shared/features/definitions.ts, shared/pipelines/spec.ts, shared/serving/definitions.ts)',
    ]);
  });
});

describe('the import checker', () => {
  it('finds static, re-exported, side-effect and dynamic imports, not the ones quoted in comments', () => {
    const source = [
      "import { a } from './a.js';",
      'import {',
      '  b,',
      "} from '../b.js';",
      "import type { C } from './c.js';",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "import { z } from 'zod';",
      "/** Written like `import { x } from './quoted.js'`, or import('./quoted.js'). */",
      "// import { y } from './commented.js';",
      "const url = 'http://example.test/import';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './g.js', 'zod']);
  });

  // The arrows that ran the wrong way before the floors were made (issue 11), and a few more.
  const wrong: ImportGraph = new Map([
    ['shared/pipelines/steps/features-materialize.ts', ['shared/features/materialize.ts', 'shared/pipelines/step-type.ts']],
    ['shared/pipelines/steps/drift-run.ts', ['shared/drift/run.ts']],
    ['shared/features/offline-store.ts', ['shared/pipelines/steps/blob-io.ts']],
    ['shared/features/materialize.ts', ['shared/features/offline-store.ts', 'shared/pipelines/step-type.ts']],
    ['shared/pipelines/steps/blob-io.ts', ['shared/platform/services.ts']],
    ['shared/storage/redis.ts', ['shared/platform/settings.ts']],
    ['shared/platform/services.ts', ['shared/storage/redis.ts', 'shared/platform/settings.ts']],
    ['shared/platform/settings.ts', []],
    ['shared/drift/profiles.ts', ['shared/drift/store.ts']],
    ['shared/drift/store.ts', ['shared/drift/run.ts']],
    ['shared/drift/run.ts', ['shared/drift/profiles.ts', 'shared/features/materialize.ts']],
    ['shared/rag/ask.ts', ['shared/vectors/service.ts', 'shared/features/materialize.ts']],
    ['shared/vectors/service.ts', ['shared/rag/chunker.ts']],
    ['shared/rag/chunker.ts', []],
    ['shared/pipelines/step-type.ts', []],
    ['functions/x.ts', ['local/host.ts']],
    ['local/host.ts', ['functions/x.ts']],
  ]);

  it('reports an import that runs up a floor, into the engine, into local/, or along a capability edge not allowed', () => {
    expect(floorViolations(wrong, rules)).toEqual([
      'shared/pipelines/steps/features-materialize.ts -> shared/features/materialize.ts: shared/pipelines (engine) imports the higher floor capability shared/features',
      'shared/pipelines/steps/drift-run.ts -> shared/drift/run.ts: shared/pipelines (engine) imports the higher floor capability shared/drift',
      'shared/features/offline-store.ts -> shared/pipelines/steps/blob-io.ts: capability features reaches inside the engine (its surface for capabilities: shared/pipelines/step-type.ts)',
      'shared/storage/redis.ts -> shared/platform/settings.ts: shared/storage imports the higher floor shared/platform',
      'shared/rag/ask.ts -> shared/features/materialize.ts: capability rag may not import capability features (not an allowed edge)',
      'shared/vectors/service.ts -> shared/rag/chunker.ts: capability vectors may not import capability rag (not an allowed edge)',
      'functions/x.ts -> local/host.ts: functions imports the local host (local/ imports the app, never the reverse)',
      'capabilities rag and vectors import each other',
    ]);
  });

  it('reports two capabilities allowed to import each other', () => {
    expect(twoWayEdges([...rules.allowedCapabilityEdges, { from: 'vectors', to: 'rag' }])).toEqual(['rag <-> vectors']);
  });

  it('reports every circle with its path', () => {
    expect(importCycles(wrong)).toEqual([
      'functions/x.ts -> local/host.ts -> functions/x.ts',
      'shared/drift/profiles.ts -> shared/drift/store.ts -> shared/drift/run.ts -> shared/drift/profiles.ts',
    ]);
    expect(importCycles(new Map([['shared/x.ts', ['shared/x.ts']]]))).toEqual(['shared/x.ts -> shared/x.ts']);
  });
});
