// npm run bench [-- name ...]: runs each benchmark (dist/bench/<name>.js) in turn.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const all = readdirSync('dist/bench').filter((file) => file.endsWith('.js')).map((file) => file.slice(0, -3));
for (const name of wanted.length ? wanted : all) {
  console.log(`# bench/${name}`);
  const result = spawnSync(process.execPath, [`dist/bench/${name}.js`], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
