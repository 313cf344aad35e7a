import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { freePort } from '../../local/emulators/child-service.js';
import { hostCoverage, startHostProcess, type HostProcess } from './host-process.js';
import { asScript, expectedComment, expectedPairs } from './readme-blocks.js';

const run = promisify(execFile);
const marker = '@@documented-command ';

/**
 * The indexes of lines that start a command: not a comment, not blank, and neither continuing
 * the previous line (`\`) nor inside a single-quoted argument left open above (a JSON body, a
 * `node -e` script).
 */
export function commandStarts(lines: readonly string[]): number[] {
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

/**
 * A fresh host for documented commands, with its own storage (they land files with `npm run
 * blob`, and blob containers are shared by the run's hosts) and every blob trigger on, and a
 * folder to run them in that has what a reader's checkout has (`dist`, `package.json`).
 */
export async function startDocumentedHost(): Promise<{ host: HostProcess; folder: string; stop(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'arbor-documented-'));
  const host = await startHostProcess(
    {
      ARBOR_DATA_DIR: join(folder, '.arbor'),
      AzureWebJobsStorage: '',
      ARBOR_BLOB_PORT: String(await freePort()),
      'AzureWebJobs.catalog-landed-file.Disabled': 'false',
      'AzureWebJobs.ingest-feature-file.Disabled': 'false',
    },
    120_000,
  );
  for (const entry of ['dist', 'package.json', 'node_modules']) await symlink(join(process.cwd(), entry), join(folder, entry));
  return {
    host,
    folder,
    async stop() {
      await host.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * A documented host for the enclosing describe: started before its tests, stopped after; `run`
 * runs a block against it (runDocumentedCommands).
 */
export function useDocumentedHost(): { readonly host: HostProcess; run(block: string): Promise<void> } {
  let documented: Awaited<ReturnType<typeof startDocumentedHost>> | undefined;
  beforeAll(async () => {
    documented = await startDocumentedHost();
  }, 150_000);
  afterAll(async () => documented?.stop());
  const started = () => {
    if (!documented) throw new Error('the documented host has not started');
    return documented;
  };
  return {
    get host() {
      return started().host;
    },
    run: (block) => runDocumentedCommands(block, started().host.url, started().folder),
  };
}

/**
 * Runs `block` with bash as a reader would (the documented address replaced by the host's),
 * stopping at the first command that fails, and checks every curl: it answers; a JSON answer
 * parses and is not an error unless a `# {...}` comment under it says what it is; each field
 * the comment names is in the answer, with each whole number and plain string it spells out.
 * A curl whose answer is not JSON must be piped into another command.
 */
export async function runDocumentedCommands(block: string, hostUrl: string, folder: string): Promise<void> {
  const lines = block.split('\n');
  const starts = commandStarts(lines);
  const marked = lines.flatMap((line, i) => (starts.includes(i) ? [`echo '${marker}${i}'`, line] : [line])).join('\n');
  const { stdout } = await run('bash', ['-c', asScript(marked, hostUrl)], {
    cwd: folder,
    timeout: 120_000,
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
  // Every line that begins with curl was told apart as a command of its own.
  const curls = starts.filter((i) => /^curl /.test(lines[i] as string));
  expect(curls).toEqual(lines.flatMap((line, i) => (/^curl /.test(line) ? [i] : [])));

  for (const start of curls) {
    const command = lines[start] as string;
    const output = outputs.get(start) ?? '';
    expect(output, command).not.toBe('');
    const next = starts.find((i) => i > start) ?? lines.length;
    const comment = expectedComment(lines.slice(start + 1, next));
    if (!output.startsWith('{') && !output.startsWith('[')) {
      expect(command, `${command} answered ${output.slice(0, 200)}`).toMatch(/ \| /);
      continue;
    }
    const answer = JSON.parse(output.split('\n')[0] as string) as Record<string, unknown>;
    const compact = JSON.stringify(answer);
    if (!comment) {
      expect(answer.error, `${command} answered an error: ${compact}`).toBeUndefined();
      continue;
    }
    const keys = [...comment.matchAll(/"([\w.:-]+)":/g)].map((m) => `"${m[1]}":`);
    expect(keys.length, `${command}: its comment names no field`).toBeGreaterThan(0);
    for (const key of keys) expect(compact, command).toContain(key);
    for (const pair of expectedPairs(comment)) expect(compact, command).toContain(pair);
  }
}
