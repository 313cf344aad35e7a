import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedValues, paramDecorators, read, resource, root, stripComments } from './bicep-source.js';
import { runProcess } from './run-process.js';

/**
 * What `azd deploy` sends to Azure: the project folder less what .funcignore names, built again
 * in Azure (azure.yaml remoteBuild). The file list is computed by git from .funcignore (the
 * same gitignore rules azd applies) over the files a developer's folder holds after
 * `npm ci && npm run build && azd up`, and the listed sources must compile on their own.
 */

const scratch = mkdtempSync(join(tmpdir(), 'arbor-package-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Present in a developer's folder but untracked and git-ignored, so `git ls-files` cannot list them. */
const ignoredButPresent = [
  'node_modules/@azure/functions/package.json',
  'dist/functions/index.js',
  'dist/local/main.js',
  '.azure/dev/.env',
  '.azure/config.json',
  '.arbor/blobs/x',
  'coverage/index.html',
  'debug.log',
  '__blobstorage__/x',
  '__azurite_db_blob__.json',
  '.vscode/settings.json',
];

/** The files that go into the zip, by git's reading of .funcignore. */
function packagedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  // Here node_modules is a symlink (an untracked file to git); in a developer's clone it is a folder.
  const present = [...new Set([...listed.filter((path) => path !== 'node_modules'), ...ignoredButPresent, '.git'])];
  expect(present.length).toBeGreaterThan(200);
  const mirror = join(scratch, 'mirror');
  mkdirSync(mirror);
  execFileSync('git', ['init', '-q'], { cwd: mirror });
  for (const path of present) {
    if (path === '.git') continue; // the mirror's own .git stands for the worktree's
    mkdirSync(dirname(join(mirror, path)), { recursive: true });
    writeFileSync(join(mirror, path), '');
  }
  writeFileSync(join(mirror, '.gitignore'), read('.funcignore'));
  const kept = execFileSync('git', ['-c', 'core.excludesFile=/dev/null', 'ls-files', '--others', '--exclude-standard', '-z'], { cwd: mirror, encoding: 'utf8' });
  return kept.split('\0').filter(Boolean).sort();
}

const packaged = packagedFiles();

describe('deployment package: .funcignore', () => {
  it('holds only what the remote build needs at the top level', () => {
    const topLevel = [...new Set(packaged.map((path) => path.split('/')[0] as string))].sort();
    // package.json carries allowScripts, which keeps onnxruntime-node's download script from running under npm 11.
    // console/ is the web console's source: the remote build builds it into dist/console/, which the console function serves.
    expect(topLevel).toEqual(['console', 'functions', 'host.json', 'package-lock.json', 'package.json', 'shared', 'tsconfig.json']);
  });

  it('has the sources of every function and of shared/', () => {
    for (const path of ['functions/index.ts', 'shared/platform/settings.ts', 'host.json', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(packaged, `${path} is not in the zip`).toContain(path);
    }
    const tracked = execFileSync('git', ['ls-files', 'functions', 'shared'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(50);
    expect(tracked.filter((path) => !packaged.includes(path))).toEqual([]);
  });

  it('leaves out tests, benches, docs, the local host, local settings, dependencies, build output and azd state', () => {
    const leftOut = ['test/', 'bench/', 'docs/', 'local/', 'local.settings.json', 'node_modules/', 'dist/', '.azure/', '.arbor/', 'infra/', 'tools/', 'README.md', 'coverage/', '.git'];
    for (const prefix of leftOut) expect(packaged.filter((path) => path.startsWith(prefix)), prefix).toEqual([]);
    expect(packaged.filter((path) => path.endsWith('.log') || path.endsWith('.md'))).toEqual([]);
  });

  it('compiles on its own, as the remote build does (npm run build: tsc -p tsconfig.json, then the console with Vite)', { timeout: 300_000 }, async () => {
    const app = join(scratch, 'app');
    for (const path of packaged) cpSync(join(root, path), join(app, path));
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
    const build = await runProcess(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, timeoutMs: 280_000 });
    expect(build.stdout + build.stderr, 'tsc in the package').toBe('');
    expect(build.status).toBe(0);
    const main = (JSON.parse(read('package.json')) as { main: string }).main;
    expect(existsSync(join(app, main)), `package.json main (${main}) was not built`).toBe(true);
    expect(existsSync(join(app, 'dist', 'local'))).toBe(false);
    // npm run build:console: the console type-checks and builds from what the zip holds.
    const consoleTypes = await runProcess(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'console/tsconfig.json'], { cwd: app, timeoutMs: 120_000 });
    expect(consoleTypes.stdout + consoleTypes.stderr, 'tsc of the console in the package').toBe('');
    const bundle = await runProcess(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts'], { cwd: app, timeoutMs: 120_000 });
    expect(bundle.status, bundle.stdout + bundle.stderr).toBe(0);
    expect(existsSync(join(app, 'dist', 'console', 'index.html'))).toBe(true);
  });
});

describe('runtime: Node.js 22 in Azure, local development on Node 20', () => {
  const mainBicep = read('infra/main.bicep');
  const functionApp = stripComments(read('infra/modules/function-app.bicep'));

  it('the Function App runs Node 22', () => {
    expect(allowedValues(mainBicep, 'nodeVersion')).toEqual(['22']);
    expect(stripComments(mainBicep)).toMatch(/^param nodeVersion string = '22'$/m);
    expect(allowedValues(functionApp, 'nodeVersion')).toEqual(['22']);
    expect(resource(functionApp, 'site').body).toMatch(/runtime: \{ name: 'node', version: nodeVersion \}/);
    expect(paramDecorators(mainBicep, 'nodeVersion')).toContain('@allowed');
  });

  it('the code keeps to what Node 20 offers, so it runs on both', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
    const floor = /^>=\s*(\d+)/.exec(pkg.engines.node)?.[1];
    expect(Number(floor), `engines.node ${pkg.engines.node}`).toBeLessThanOrEqual(20);
    // Types of Node 20 at compile time: an API only Node 22 has does not compile.
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^?20\./);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(floor));
  });

  it('azure.yaml builds in Azure (remote build): native addons are compiled for Linux there', () => {
    expect(read('azure.yaml')).toMatch(/^ {4}remoteBuild: true$/m);
  });
});
