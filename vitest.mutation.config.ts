import { defineConfig } from 'vitest/config';

/**
 * The unit tests Stryker runs against each mutant of the modules in stryker.config.mjs. Only
 * in-process tests that need no emulator, Redis or built host: a mutant run must take
 * milliseconds, and the machine is shared. No globalSetup, so nothing is started. The 5,000-step
 * scale tests are left out: they test size, not logic (dag.test.ts covers the logic), and one
 * run of them under Stryker's instrumentation costs seconds per mutant.
 */
export default defineConfig({
  test: {
    include: [
      'test/shared/pipelines/builder.test.ts',
      'test/shared/pipelines/dag*.test.ts',
      'test/shared/pipelines/expressions*.test.ts',
      'test/shared/pipelines/validate*.test.ts',
      'test/shared/pipelines/spec*.test.ts',
      'test/shared/vectors/pure.test.ts',
      'test/shared/vectors/scoring*.test.ts',
      'test/shared/vectors/routing*.test.ts',
      'test/shared/vectors/filter*.test.ts',
      'test/shared/vectors/shard-search-request.test.ts',
      'test/shared/vectors/shard-search-*.test.ts',
      'test/shared/drift/quantile-summary*.test.ts',
      'test/shared/drift/smirnov-exact*.test.ts',
      'test/shared/drift/statistics*.test.ts',
      'test/shared/features/online-core*.test.ts',
      'test/shared/rag/chunker*.test.ts',
      'test/shared/rag/html.test.ts',
      'test/shared/rag/soft-breaks.test.ts',
      'test/shared/rag/retrieval.test.ts',
      'test/shared/rag/text*.test.ts',
      'test/shared/rag/fusion*.test.ts',
      'test/shared/platform/ncrontab*.test.ts',
      'test/local/route-template*.test.ts',
      'test/local/ncrontab.test.ts',
    ],
    testTimeout: 60_000,
    // One module graph for all files: a mutation run starts the tests hundreds of times, and
    // re-importing zod and the modules under test for every file dominated each run.
    isolate: false,
  },
});
