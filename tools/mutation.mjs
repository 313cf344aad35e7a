#!/usr/bin/env node
/**
 * `npm run test:mutation [-- group ...]`: Stryker over each group of tools/mutation-groups.mjs
 * in turn (all of them when none is named), each incremental, then the score check. Groups run
 * one after another, never side by side: the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mutationGroups } from './mutation-groups.mjs';

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in mutationGroups));
if (unknown.length) {
  console.error(`unknown group(s) ${unknown.join(', ')}; groups are ${Object.keys(mutationGroups).join(', ')}`);
  process.exit(2);
}
const stryker = join('node_modules', '.bin', 'stryker');
for (const group of asked.length ? asked : Object.keys(mutationGroups)) {
  console.log(`\n== mutation testing: ${group} (${mutationGroups[group].join(', ')})`);
  const run = spawnSync(stryker, ['run', 'stryker.config.mjs'], { stdio: 'inherit', env: { ...process.env, ARBOR_MUTATION_GROUP: group } });
  if (run.status !== 0) {
    console.error(`Stryker failed on group ${group} (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
const check = spawnSync(process.execPath, [join('tools', 'check-mutation-score.mjs')], { stdio: 'inherit' });
process.exit(check.status ?? 1);
