import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { asScript, expectedComment, expectedPairs, readmeShBlock } from '../support/readme-blocks.js';

/**
 * README.md "Serving a model" runs as written: its sh block goes to bash against a fresh host
 * (only the address changes), every curl answers JSON, each `# {...}` line under a command is
 * checked field by field (its whole-number and plain-string fields), and the predictions equal
 * the logistic function of the weights the block writes the model with.
 */
const run = promisify(execFile);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('README: serving a model', () => {
  let host: HostProcess;
  let folder: string;
  beforeAll(async () => {
    host = await startHostProcess();
    folder = await mkdtemp(join(tmpdir(), 'arbor-readme-'));
    // The block runs `node dist/tools/...` from the repository root, as a reader would.
    await symlink(join(process.cwd(), 'dist'), join(folder, 'dist'));
  });
  afterAll(async () => {
    await host?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('runs as written, and answers what it says', async () => {
    const block = await readmeShBlock('### Serving a model');
    const { stdout } = await run('bash', ['-c', asScript(block, host.url)], { cwd: folder, timeout: 60_000 });
    const answers = stdout.split('\n').filter((line) => line.trim() !== '');
    const lines = block.split('\n');
    const commands = lines.flatMap((line, i) => (/^curl /.test(line) ? [i] : []));
    expect(answers.length).toBe(commands.length);
    const parsed = answers.map((answer) => JSON.parse(answer) as Record<string, any>);

    commands.forEach((start, n) => {
      const next = commands[n + 1] ?? lines.length;
      const comment = expectedComment(lines.slice(start, next));
      const compact = JSON.stringify(parsed[n]);
      if (!comment) {
        expect(parsed[n]?.error, `${lines[start]} answered an error: ${compact}`).toBeUndefined();
        return;
      }
      for (const pair of expectedPairs(comment)) expect(compact, lines[start]).toContain(pair);
    });

    const weights = /--weights=([-\d.,]+)/.exec(block)?.[1]?.split(',').map(Number) ?? [];
    const bias = Number(/--bias=(-?[\d.]+)/.exec(block)?.[1]);
    const predict = parsed.find((answer) => Array.isArray(answer.predictions));
    // Customer 7 has 12 orders and spends 30; customer 8 has none stored (the default, 0) and spends 0.
    expect(predict?.predictions[0]).toBeCloseTo(sigmoid((weights[0] as number) * 12 + (weights[1] as number) * 30 + bias), 5);
    expect(predict?.predictions[1]).toBeCloseTo(sigmoid(bias), 5);
    const shown = /"predictions":\[([\d.]+),([\d.]+)\]/.exec(block);
    expect(Number(shown?.[1])).toBeCloseTo(predict?.predictions[0], 4);
    expect(Number(shown?.[2])).toBeCloseTo(predict?.predictions[1], 4);
  });
});
