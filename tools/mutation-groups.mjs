/**
 * The modules under mutation testing, in small groups that Stryker runs one at a time
 * (tools/mutation.mjs). A group has its own incremental file and report, so a change in one
 * area re-tests only that area's mutants, and each dry run runs only the unit tests that import
 * the group's modules. These are the core's pure and near-pure modules (issue 21); see
 * docs/testing.md, "Mutation testing".
 */
export const mutationGroups = {
  'pipelines-dag': ['shared/pipelines/dag.ts'],
  'pipelines-validate': ['shared/pipelines/spec.ts', 'shared/pipelines/validate.ts'],
  'pipelines-expressions': ['shared/pipelines/expressions.ts'],
  vectors: ['shared/vectors/scoring.ts', 'shared/vectors/routing.ts', 'shared/vectors/filter.ts'],
  'drift-statistics': ['shared/drift/statistics.ts'],
  'drift-summary': ['shared/drift/smirnov-exact.ts', 'shared/drift/quantile-summary.ts'],
  // online.ts: only planLookup and isStale (lines 26-47); readOnline and writeOnline need a store
  // and are covered by the Redis-backed tests, which mutation runs do not start.
  features: ['shared/features/online-layout.ts', 'shared/features/online.ts:26-47', 'shared/features/rows.ts'],
  'rag-chunker': ['shared/rag/chunker.ts'],
  'rag-text': ['shared/rag/text.ts', 'shared/rag/fusion.ts'],
  edge: ['local/http/route-template.ts', 'shared/platform/ncrontab.ts'],
};

/** The minimum mutation score, in percent, of every group and of all of them together. */
export const minimumScore = 80;

export const reportDirectory = 'reports/mutation';
export const incrementalDirectory = '.arbor/stryker';
