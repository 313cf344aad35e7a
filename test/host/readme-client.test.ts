import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../support/host-process.js';

/**
 * README.md "The API contract and a typed client" runs as written: its js block runs with node
 * against a fresh host that needs a function key (only the address changes) and prints what the
 * text block under it says; and, as TypeScript against client/'s sources, it compiles strict.
 */
const run = promisify(execFile);
const functionKey = 'readme-client-key-0123456789abcdef';

async function readmeBlocks(): Promise<{ code: string; prints: string }> {
  const readme = await readFile(join(process.cwd(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The API contract and a typed client'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  const prints = /```text\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code || !prints) throw new Error('README.md has no js and text blocks under "### The API contract and a typed client"');
  return { code, prints };
}

describe('README: the API contract and a typed client', () => {
  let host: HostProcess;
  let folder: string;
  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: functionKey });
    folder = await mkdtemp(join(tmpdir(), 'arbor-readme-client-'));
    for (const name of ['dist', 'client', 'node_modules']) await symlink(join(process.cwd(), name), join(folder, name));
  });
  afterAll(async () => {
    await host?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('runs as written and prints what it says', async () => {
    const { code, prints } = await readmeBlocks();
    expect(code).toContain('http://127.0.0.1:7071');
    await writeFile(join(folder, 'example.mjs'), code.replaceAll('http://127.0.0.1:7071', host.url));
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: folder, timeout: 60_000, env: { ...process.env, ARBOR_FUNCTION_KEY: functionKey } });
    expect(stdout).toBe(prints);
  });

  it('compiles as strict TypeScript against the client, and a wrong call does not', async () => {
    const { code } = await readmeBlocks();
    const typed = code.replace("'./dist/client/arbor-client.js'", "'./client/arbor-client.js'");
    const wrong = typed.replace("{ params: { id: 'no-such-run' } }", "{ params: { run: 'no-such-run' } }");
    expect(wrong).not.toBe(typed);
    await writeFile(join(folder, 'example.mts'), typed);
    await writeFile(join(folder, 'wrong.mts'), wrong);
    const tsc = join(process.cwd(), 'node_modules', '.bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck'];
    await run(tsc, [...flags, 'example.mts'], { cwd: folder, timeout: 120_000 });
    const refused = await run(tsc, [...flags, 'wrong.mts'], { cwd: folder, timeout: 120_000 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? 'failed',
    );
    expect(refused).toMatch(/wrong\.mts.*error TS/);
  });
});
