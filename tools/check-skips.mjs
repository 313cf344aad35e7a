// Reads vitest's JSON report and fails when a test was skipped that test/allowed-skips.json does
// not list: a skipped test passes silently, so on CI (CI=true) a skip is a failure unless its
// reason is written down. Locally it only warns, since a developer's machine may lack a component.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? '.arbor/test-report.json';
if (!existsSync(reportPath)) {
  console.error(`check-skips: ${reportPath} is missing; did vitest run with the json reporter?`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const allowed = new Map(JSON.parse(readFileSync('test/allowed-skips.json', 'utf8')).allowed.map((entry) => [entry.test, entry.reason]));
const skipped = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => test.status === 'skipped' || test.status === 'pending' || test.status === 'todo')
    .map((test) => `${file.name.replace(`${process.cwd()}/`, '')} > ${test.fullName}`),
);
const unexplained = skipped.filter((name) => !allowed.has(name));
for (const name of skipped) console.log(`${allowed.has(name) ? 'allowed skip' : 'SKIPPED'}: ${name}${allowed.has(name) ? ` (${allowed.get(name)})` : ''}`);
if (unexplained.length && process.env.CI === 'true') {
  console.error(`check-skips: ${unexplained.length} test(s) skipped on CI without a reason in test/allowed-skips.json`);
  process.exit(1);
}
if (unexplained.length) console.warn(`check-skips: ${unexplained.length} skipped test(s); on CI these would fail the run`);
