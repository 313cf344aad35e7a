#!/usr/bin/env node
/**
 * Reads Stryker's JSON report of every mutation group (reports/mutation/<group>.json, written by
 * `npm run test:mutation`), prints the score per module and per group, and exits 1 when a group,
 * or all of them together, scores below the minimum in tools/mutation-groups.mjs.
 *
 * Score, as Stryker counts it: detected (killed or timed out) over detected + survived + not
 * covered. Ignored mutants (static ones, see stryker.config.mjs) and compile or runtime errors
 * do not count either way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minimumScore, mutationGroups, reportDirectory } from './mutation-groups.mjs';

const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);

/** Counts of detected and undetected mutants in a list of Stryker mutant results. */
export function tally(mutants) {
  let caught = 0;
  let missed = 0;
  for (const mutant of mutants) {
    if (detected.has(mutant.status)) caught++;
    else if (undetected.has(mutant.status)) missed++;
  }
  return { caught, missed };
}

const percent = ({ caught, missed }) => (caught + missed === 0 ? 100 : (100 * caught) / (caught + missed));

function main() {
  const rows = [];
  const failures = [];
  const overall = { caught: 0, missed: 0 };
  for (const [group, modules] of Object.entries(mutationGroups)) {
    const path = join(reportDirectory, `${group}.json`);
    if (!existsSync(path)) {
      failures.push(`${group}: no report at ${path} (run \`npm run test:mutation -- ${group}\`)`);
      continue;
    }
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const expected = modules.map((module) => module.replace(/:\d+-\d+$/, ''));
    const missing = expected.filter((file) => !report.files[file]);
    if (missing.length) failures.push(`${group}: the report does not cover ${missing.join(', ')}; run the group again`);
    const total = { caught: 0, missed: 0 };
    for (const file of expected) {
      const counts = tally(report.files[file]?.mutants ?? []);
      total.caught += counts.caught;
      total.missed += counts.missed;
      rows.push([file, counts]);
    }
    overall.caught += total.caught;
    overall.missed += total.missed;
    rows.push([`${group} (group)`, total]);
    if (percent(total) < minimumScore) failures.push(`${group}: ${percent(total).toFixed(1)}% is below ${minimumScore}%`);
  }
  rows.push(['all groups', overall]);
  if (percent(overall) < minimumScore) failures.push(`all groups: ${percent(overall).toFixed(1)}% is below ${minimumScore}%`);

  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n${'module'.padEnd(width)}  score   caught  missed`);
  for (const [name, counts] of rows) {
    console.log(`${name.padEnd(width)}  ${percent(counts).toFixed(1).padStart(5)}%  ${String(counts.caught).padStart(6)}  ${String(counts.missed).padStart(6)}`);
  }
  if (failures.length) {
    console.error(`\nmutation score check failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`\nmutation score check passed: every group and the whole at or above ${minimumScore}%`);
}

main();
