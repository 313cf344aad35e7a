// `npm run test:coverage`: one statement-coverage figure for functions/, local/ and shared/ that
// includes the host processes the host tests spawn (their V8 coverage, mapped back to the
// TypeScript through dist's source maps), merged with the in-process figure vitest collects.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import { checkCoverage } from './thresholds.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const out = resolve(root, 'coverage');
const hostRaw = resolve(out, 'host-raw');
const sources = ['functions', 'local', 'shared'];

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(hostRaw, { recursive: true });
if (run('npm', ['run', 'build']) !== 0) process.exit(1);
const testsExit = run(
  'npx',
  [
    'vitest', 'run', ...process.argv.slice(2),
    '--coverage.enabled', '--coverage.provider=v8', '--coverage.reporter=json', '--coverage.reportOnFailure',
    `--coverage.reportsDirectory=${resolve(out, 'in-process')}`,
    ...sources.map((s) => `--coverage.include=${s}/**/*.ts`),
  ],
  { ARBOR_HOST_COVERAGE_DIR: hostRaw },
);
if (run('npx', ['c8', 'report', '--temp-directory', hostRaw, '--reporter=json', '--report-dir', resolve(out, 'host'), '--exclude-after-remap', ...sources.map((s) => `--include=${s}/**/*.ts`)]) !== 0) process.exit(1);

const map = libCoverage.createCoverageMap({});
for (const part of ['in-process', 'host']) map.merge(JSON.parse(readFileSync(resolve(out, part, 'coverage-final.json'), 'utf8')));
const context = libReport.createContext({ dir: out, coverageMap: map });
for (const reporter of ['text-summary', 'json-summary', 'html']) reports.create(reporter).execute(context);
writeFileSync(resolve(out, 'coverage-final.json'), JSON.stringify(map.toJSON()));

const problems = checkCoverage(map, root);
for (const problem of problems) console.error(problem);
if (testsExit !== 0) console.error(`the tests themselves exited with ${testsExit}`);
process.exit(problems.length || testsExit ? 1 : 0);
