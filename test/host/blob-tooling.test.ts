import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/emulators/child-service.js';
import { hostCoverage, startHostProcess, type HostProcess } from '../support/host-process.js';

/** `npm run blob`, as the README's upload step runs it: the built CLI, in the app folder. */
function blob(dataDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join('dist', 'local', 'blob-cli.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ARBOR_DATA_DIR: dataDir, ...hostCoverage() },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('getting data in without the az CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arbor-blob-'));
  let host: HostProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // Its own Azurite on a fixed port, as `ARBOR_BLOB_PORT=10000 npm start` runs one.
    host = await startHostProcess({ ARBOR_DATA_DIR: dataDir, AzureWebJobsStorage: '', ARBOR_BLOB_PORT: String(port) }, 120_000);
  });
  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts Azurite on the configured port and prints its connection string, also left in the data dir', () => {
    const printed = host.output.join('\n');
    const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
    expect(printed).toContain(`blob    ${endpoint}`);
    const written = readFileSync(join(dataDir, 'blob-connection-string'), 'utf8');
    expect(written).toContain(`BlobEndpoint=${endpoint};`);
    expect(printed).toContain(written);
  });

  it('puts, lists and gets a blob through the running host storage', () => {
    const file = join(dataDir, 'trips.csv');
    const content = 'rider_id,trips\n1,4\n2,7\n';
    writeFileSync(file, content);
    const put = blob(dataDir, 'put', file, 'landing/cli/trips.csv');
    expect(put.stderr).toBe('');
    expect(put).toMatchObject({ status: 0, stdout: `put landing/cli/trips.csv (${content.length} bytes)\n` });
    const listed = blob(dataDir, 'ls', 'landing/cli/');
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^\\s*${content.length}  \\d{4}-\\d\\d-\\d\\dT\\S+  cli/trips\\.csv$`))]);
    expect(blob(dataDir, 'ls').stdout.split('\n')).toContain('landing');
    expect(blob(dataDir, 'get', 'landing/cli/trips.csv')).toMatchObject({ status: 0, stdout: content });
    const copy = join(dataDir, 'copy.csv');
    expect(blob(dataDir, 'get', 'landing/cli/trips.csv', copy).status).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(content);
  });

  it('refuses bad input with usage and exit code 2, and a missing blob with exit code 1', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /a command is required/],
      [['cp', 'a', 'b'], /unknown command "cp"/],
      [['put', join(dataDir, 'trips.csv'), 'landing/../etc/passwd'], /blob name "\.\.\/etc\/passwd": /],
      [['put', join(dataDir, 'trips.csv'), 'Bad_Container/x.csv'], /container "Bad_Container": /],
      [['get', 'landing'], /blob name "": /],
      [['put'], /a <file> to upload is required/],
      [['ls', 'landing/../x'], /prefix "\.\.\/x": /],
    ];
    for (const [args, message] of cases) {
      const result = blob(dataDir, ...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).toContain('usage:');
    }
    expect(blob(dataDir, 'get', 'landing/cli/nothing-here.csv')).toMatchObject({ status: 1, stderr: 'not found\n' });
    expect(blob(dataDir, 'ls', 'landing/').stdout).not.toContain('etc/passwd');
  });
});
