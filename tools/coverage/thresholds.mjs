import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/** Statements covered overall, at least. */
export const overallFloor = 85;
/** Each source file longer than `longFile` lines covers at least this much, or is an exception. */
export const fileFloor = 60;
export const longFile = 50;

/** Files allowed under the file floor, each with why (docs/testing.md lists them). */
export function exceptions(root) {
  return JSON.parse(readFileSync(resolve(root, 'test', 'coverage-exceptions.json'), 'utf8'));
}

export function checkCoverage(map, root) {
  const problems = [];
  const overall = map.getCoverageSummary().statements.pct;
  if (overall < overallFloor) problems.push(`statements covered overall: ${overall}% < ${overallFloor}%`);
  const allowed = exceptions(root);
  for (const file of map.files()) {
    const name = relative(root, file);
    const lines = readFileSync(file, 'utf8').split('\n').length;
    const pct = map.fileCoverageFor(file).toSummary().statements.pct;
    if (lines > longFile && pct < fileFloor && !allowed[name]) problems.push(`${name}: ${pct}% of statements (${lines} lines) < ${fileFloor}%, and not in test/coverage-exceptions.json`);
  }
  return problems;
}
