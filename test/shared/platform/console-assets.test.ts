import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePath, readConsoleAsset } from '../../../shared/platform/console-assets.js';

describe("the console's file paths", () => {
  it('take the names Vite builds', () => {
    for (const path of ['index.html', 'assets/index-B4IV_eox.js', 'assets/index-CyPn4UEz.css', 'favicon.ico']) expect(consolePath.safeParse(path).success, path).toBe(true);
  });

  it('refuse every way out of the folder before a file is looked at', () => {
    for (const path of ['..', '../package.json', 'assets/../../x.js', './index.html', '/etc/passwd', '..\\..\\package.json', 'C:/Windows/win.ini', 'index.html\0.js', 'a//b.js', '', 'assets/.', `${'a/'.repeat(120)}x.js`]) {
      expect(consolePath.safeParse(path).success, JSON.stringify(path)).toBe(false);
    }
  });
});

describe('reading a console file', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'console-assets-'));
    root = join(outside, 'console');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html>');
    await writeFile(join(root, 'assets', 'app-1234.js'), 'export {};');
    await writeFile(join(root, 'assets', 'notes.unknown'), 'x');
    await writeFile(join(outside, 'secret.js'), 'secret');
  });
  afterAll(() => rm(outside, { recursive: true, force: true }));

  it('gives the page uncached and the hashed assets cached for good, each with its type', async () => {
    expect(await readConsoleAsset(root, 'index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    const script = await readConsoleAsset(root, 'assets/app-1234.js');
    expect(script).toMatchObject({ contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' });
    expect(script?.body.toString()).toBe('export {};');
  });

  it('gives nothing for a missing file, a folder, an unknown type, or a path that leaves the root', async () => {
    for (const path of ['missing.js', 'assets', 'assets/notes.unknown', '../secret.js', '../console-x/secret.js']) expect(await readConsoleAsset(root, path), path).toBeUndefined();
  });
});
