import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/emulators/child-service.js';
import { eventually, hostCoverage, startHostProcess, type HostProcess } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';
import { asScript, expectedComment, expectedPairs, readmeShBlock, shBlockAfter } from '../support/readme-blocks.js';

/**
 * README.md "API" runs as written, top to bottom, against a fresh host with its own storage (the
 * block lands a file with `npm run blob`, and blob containers are shared by the run's hosts):
 * each command's output is told apart by a marker the test puts before it, every curl answers,
 * a JSON answer parses, each `# {...}` line under a command is checked field by field, and what
 * the block set up is there afterwards. The examples of docs/ that start from the state it leaves
 * run after it.
 */
const run = promisify(execFile);
const marker = '@@readme-command ';

/**
 * The indexes of lines that start a command: not a comment, not blank, and neither continuing
 * the previous line (`\`) nor inside a single-quoted argument left open above (a JSON body).
 */
function commandStarts(lines: readonly string[]): number[] {
  const starts: number[] = [];
  let open = false;
  let continued = false;
  lines.forEach((line, i) => {
    const topLevel = !open && !continued;
    if (topLevel && line.trim() !== '' && !line.startsWith('#')) starts.push(i);
    if (!topLevel || !line.startsWith('#')) {
      // A comment after a command (`curl ... # the run's state`) quotes nothing.
      const code = open ? line : line.replace(/\s#\s.*$/, '');
      if ((code.match(/'/g) ?? []).length % 2 === 1) open = !open;
      continued = line.endsWith('\\');
    }
  });
  return starts;
}

describe('README: the API walk-through', () => {
  let host: HostProcess;
  let folder: string;
  const call = jsonApi(() => host);
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'arbor-readme-api-'));
    // Its own Azurite (as `npm start` runs one), with the catalogue trigger on: the block lands a file.
    host = await startHostProcess(
      { ARBOR_DATA_DIR: join(folder, '.arbor'), AzureWebJobsStorage: '', ARBOR_BLOB_PORT: String(await freePort()), 'AzureWebJobs.catalog-landed-file.Disabled': 'false' },
      120_000,
    );
    // The block runs `npm run blob` and `node dist/...` from the repository root, as a reader would.
    await symlink(join(process.cwd(), 'dist'), join(folder, 'dist'));
    await symlink(join(process.cwd(), 'package.json'), join(folder, 'package.json'));
    await symlink(join(process.cwd(), 'node_modules'), join(folder, 'node_modules'));
  }, 150_000);
  afterAll(async () => {
    await host?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Runs `block` as written against the host, and checks each curl's answer against the comment under it. */
  async function runAndCheck(block: string): Promise<void> {
    const lines = block.split('\n');
    const starts = commandStarts(lines);
    const marked = lines.flatMap((line, i) => (starts.includes(i) ? [`echo '${marker}${i}'`, line] : [line])).join('\n');
    const { stdout } = await run('bash', ['-c', asScript(marked, host.url)], {
      cwd: folder,
      timeout: 90_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ARBOR_DATA_DIR: join(folder, '.arbor'), ...hostCoverage() },
    }).catch((error: { stdout?: string; stderr?: string }) => {
      // Where it stopped and why, rather than the whole script echoed back.
      throw new Error(`the block failed after:\n${error.stdout?.slice(-1500)}\nstderr:\n${error.stderr?.slice(-1500)}`);
    });
    const outputs = new Map<number, string>();
    for (const section of stdout.split(marker).slice(1)) {
      const newline = section.indexOf('\n');
      outputs.set(Number(section.slice(0, newline)), section.slice(newline + 1).trim());
    }
    // Every command ran (set -e stops at the first that fails), in order.
    expect([...outputs.keys()]).toEqual(starts);

    const curls = starts.filter((i) => /^curl /.test(lines[i] as string));
    // Every line that begins with curl was told apart as a command of its own.
    expect(curls).toEqual(lines.flatMap((line, i) => (/^curl /.test(line) ? [i] : [])));
    starts.forEach((start, n) => {
      const command = lines[start] as string;
      if (!/^curl /.test(command)) return;
      const output = outputs.get(start) ?? '';
      expect(output, command).not.toBe('');
      const comment = expectedComment(lines.slice(start + 1, starts[n + 1] ?? lines.length));
      if (!output.startsWith('{') && !output.startsWith('[')) {
        // Only the metrics scrape answers text; it is grepped for the per-function series.
        expect(command, output.slice(0, 200)).toMatch(/\/api\/metrics \| grep arbor_function/);
        expect(output).toMatch(/^arbor_function_invocations_total\{/m);
        return;
      }
      const answer = JSON.parse(output.split('\n')[0] as string) as Record<string, unknown>;
      const compact = JSON.stringify(answer);
      if (!comment) {
        expect(answer.error, `${command} answered an error: ${compact}`).toBeUndefined();
        return;
      }
      // Every field the comment names is in the answer, and every value it spells out too.
      const keys = [...comment.matchAll(/"([\w.:-]+)":/g)].map((m) => `"${m[1]}":`);
      expect(keys.length, `${command}: its comment names no field`).toBeGreaterThan(0);
      for (const key of keys) expect(compact, command).toContain(key);
      for (const pair of expectedPairs(comment)) expect(compact, command).toContain(pair);
    });
  }

  it('runs as written, and answers what it says', async () => {
    await runAndCheck(await readmeShBlock('## API'));

    // What the block set up is there: the landed file catalogued, the run finished, the item found.
    const files = await eventually(async () => {
      const answer = await call('GET', 'datasets/orders/files');
      return (answer.body.files ?? answer.body).length ? (answer.body.files ?? answer.body) : undefined;
    }, 30_000);
    expect(JSON.stringify(files)).toContain('2026/jan.csv');
    const runs = (await call('GET', 'pipelines/hello/runs')).body;
    const runId = (runs.runs ?? runs)[0]?.runId as string;
    const finished = await eventually(async () => {
      const state = (await call('GET', `runs/${runId}`)).body;
      return state.state === 'running' || state.state === 'pending' ? undefined : state;
    }, 30_000);
    expect(finished.state).toBe('succeeded');
    expect((await call('GET', 'collections/docs')).body.items).toBe(2);
  }, 150_000);

  it('leaves the state the examples of docs/features.md and docs/grpc.md start from, and they answer what they say', async () => {
    await runAndCheck(await shBlockAfter('docs/features.md', "After the README's API walk-through"));
    await runAndCheck(await shBlockAfter('docs/grpc.md', 'The Connect protocol over the Function App route'));
  });
});
