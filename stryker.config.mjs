// Mutation testing of Arbor's pure and near-pure core (docs/testing.md, "Mutation testing").
// Run with `npm run test:mutation` (tools/mutation.mjs runs one group of modules at a time and
// sets ARBOR_MUTATION_GROUP); it is not part of `npm test`.
import { incrementalDirectory, mutationGroups, reportDirectory } from './tools/mutation-groups.mjs';

const group = process.env.ARBOR_MUTATION_GROUP ?? '';
const files = mutationGroups[group];
if (!files) throw new Error(`ARBOR_MUTATION_GROUP must be one of ${Object.keys(mutationGroups).join(', ')}; run \`npm run test:mutation\``);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // related: each run only starts the unit tests that import the mutated modules.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: files,
  // The sandbox preprocessor would rewrite tsconfig.json through TypeScript's JS API, which
  // TypeScript 7 (the native compiler) no longer has. Our tsconfig has no `extends` or
  // `references` to rewrite, so point the option at a file that does not exist to skip it.
  tsconfigFile: 'tsconfig.stryker-skip.json',
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant such as the Cody coefficients or the stop-word list)
  // is live before any test starts, so Stryker must run every test for each one: a minute apiece
  // on a shared machine. They are reported as ignored, and docs/testing.md says so.
  ignoreStatic: true,
  // A mutant's run stops at its first failing test (the default, bail), so the report names one
  // killing test per mutant; running them all doubled the time of a run on a shared machine.
  // One test process: the machine is shared.
  concurrency: 1,
  incremental: true,
  incrementalFile: `${incrementalDirectory}/${group}.json`,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  clearTextReporter: { allowColor: false, logTests: false },
  jsonReporter: { fileName: `${reportDirectory}/${group}.json` },
  htmlReporter: { fileName: `${reportDirectory}/${group}.html` },
  ignorePatterns: ['dist', '.arbor', 'coverage', 'reports', 'bench', 'infra', 'rag-eval', 'docs', '*.log'],
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
