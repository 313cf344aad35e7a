import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { rolloutWhen } from '../support/serving-rollouts.js';

/**
 * README.md "Rolling out a new version" runs as written after "Serving a model" (whose model
 * and endpoint it rolls out on), against a fresh host: every curl answers JSON, each `# {...}`
 * line under a command is checked field by field, and the promotion it asks for happens.
 */
const run = promisify(execFile);

async function shBlock(heading: string): Promise<string> {
  const readme = await readFile(join(process.cwd(), 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))?.[1];
  if (!block) throw new Error(`README.md has no sh block under "${heading}"`);
  return block;
}

const expectedPairs = (comment: string) => [...comment.matchAll(/"[\w.:-]+":(?:"[^"\\]*"|-?\d+(?![\d.]))/g)].map((m) => m[0]).filter((pair) => !pair.includes('...'));

describe('README: rolling out a new version', () => {
  let host: HostProcess;
  let folder: string;
  const call = jsonApi(() => host);
  beforeAll(async () => {
    host = await startHostProcess();
    folder = await mkdtemp(join(tmpdir(), 'arbor-readme-rollouts-'));
    await symlink(join(process.cwd(), 'dist'), join(folder, 'dist'));
  });
  afterAll(async () => {
    await host?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('runs as written, and answers what it says', async () => {
    const bash = (block: string) => run('bash', ['-c', `set -euo pipefail\ncurl() { command curl -w '\\n' "$@"; }\n${block.replaceAll('http://127.0.0.1:7071', host.url)}`], { cwd: folder, timeout: 60_000 });
    await bash(await shBlock('### Serving a model'));
    const block = await shBlock('### Rolling out a new version');
    const { stdout } = await bash(block);
    const answers = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, any>);
    const lines = block.split('\n');
    const commands = lines.flatMap((line, i) => (/^curl /.test(line) ? [i] : []));
    expect(answers.length).toBe(commands.length);
    commands.forEach((start, n) => {
      const next = commands[n + 1] ?? lines.length;
      const comment = lines.slice(start, next).filter((line) => /^#\s*[{"]/.test(line)).map((line) => line.replace(/^#\s*/, '')).join('');
      const compact = JSON.stringify(answers[n]);
      for (const pair of expectedPairs(comment)) expect(compact, lines[start]).toContain(pair);
    });
    const id = answers[1]?.id as string;
    expect(answers[3]?.error?.message).toContain(id);
    const promoted = await rolloutWhen(call, 'churn', id, (r) => r.state === 'promoted', 30_000);
    expect(promoted.weight).toBe(100);
    expect((await call('GET', 'endpoints/churn')).body.variants).toEqual([{ name: 'stable', model: 'churn', version: 2, weight: 100 }]);
  });
});
