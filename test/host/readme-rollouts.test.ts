import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { asScript, expectedComment, expectedPairs, readmeShBlock } from '../support/readme-blocks.js';
import { rolloutWhen } from '../support/serving-rollouts.js';

/**
 * README.md "Rolling out a new version" runs as written after "Serving a model" (whose model
 * and endpoint it rolls out on), against a fresh host: every curl answers JSON, each `# {...}`
 * line under a command is checked field by field, and the promotion it asks for happens.
 */
const run = promisify(execFile);

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
    const bash = (block: string) => run('bash', ['-c', asScript(block, host.url)], { cwd: folder, timeout: 60_000 });
    await bash(await readmeShBlock('### Serving a model'));
    const block = await readmeShBlock('### Rolling out a new version');
    const { stdout } = await bash(block);
    const answers = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, any>);
    const lines = block.split('\n');
    const commands = lines.flatMap((line, i) => (/^curl /.test(line) ? [i] : []));
    expect(answers.length).toBe(commands.length);
    commands.forEach((start, n) => {
      const next = commands[n + 1] ?? lines.length;
      const comment = expectedComment(lines.slice(start, next));
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
