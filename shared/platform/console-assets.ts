import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The web console's built files (console/, built by Vite into dist/console/ beside the compiled
 * app) and how the `console` function serves them. This module is compiled to
 * dist/shared/platform/, so the assets are two folders up, in the Azure package and the local
 * host alike.
 */
export const consoleAssetRoot = fileURLToPath(new URL('../../console/', import.meta.url));

/**
 * A path below /api/console/: slash-separated names of letters, digits, `.`, `_` and `-`, none
 * of them `.` or `..`. Checked before any file is looked at, so `..`, an encoded `%2e%2e%2f`
 * (the host decodes it first), a backslash, a drive letter or a NUL never reach the file system.
 */
export const consolePath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative path of letters, digits, ".", "_" and "-"')
  .refine((path) => path.split('/').every((segment) => segment !== '.' && segment !== '..'), 'may not hold a "." or ".." segment');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

/**
 * The file at `path` (already checked by `consolePath`) under `root`, or undefined when there is
 * none. The resolved path is checked to stay inside the root once more, so a mistake in the
 * pattern above cannot open a file elsewhere.
 */
export async function readConsoleAsset(root: string, path: string): Promise<ConsoleAsset | undefined> {
  const base = resolve(root);
  const file = resolve(base, path);
  if (!file.startsWith(base + sep)) return undefined;
  const contentType = contentTypes[extname(file).toLowerCase()];
  if (!contentType) return undefined;
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) return undefined;
  // Vite names what it builds under assets/ by content hash: a new build is a new name, so
  // browsers may keep those for good; index.html names them, and is checked on every load.
  const hashed = path.startsWith('assets/');
  return { body: await readFile(file), contentType, cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

/**
 * Headers for every console answer: the page runs only its own scripts and styles, talks only to
 * its own origin, and may not be framed by another site.
 */
export const consoleSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
