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
