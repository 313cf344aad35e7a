import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The first ```sh block of `file` (from the repository root) after the text `anchor`. */
export async function shBlockAfter(file: string, anchor: string): Promise<string> {
  const text = await readFile(join(process.cwd(), file), 'utf8');
  const at = text.indexOf(anchor);
  const block = at < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (!block) throw new Error(`${file} has no sh block after "${anchor}"`);
  return block;
}

/** Every ```sh block of `file`, in order. */
export async function shBlocks(file: string): Promise<string[]> {
  const text = await readFile(join(process.cwd(), file), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** The first ```sh block of README.md under `heading`. */
export const readmeShBlock = (heading: string): Promise<string> => shBlockAfter('README.md', heading);

/**
 * The `"key":"text"`, `"key":123` and `"key":true` pairs of an expected-output comment, the
 * parts a reader can hold an answer to (text with `...` is elided, so left out; fractions vary
 * run to run).
 */
export function expectedPairs(comment: string): string[] {
  return [...comment.matchAll(/"[\w.:-]+":(?:"[^"\\]*"|-?\d+(?![\d.])|true|false|null)/g)].map((m) => m[0]).filter((pair) => !pair.includes('...'));
}

/** The `# {...}` / `# "..."` lines among `lines`, joined: what the README says a command answers. */
export function expectedComment(lines: readonly string[]): string {
  return lines
    .filter((line) => /^#\s*[{"]/.test(line))
    .map((line) => line.replace(/^#\s*/, ''))
    .join('');
}

/** Runs a README block with bash against `hostUrl` instead of the documented address, failing on the first error. */
export function asScript(block: string, hostUrl: string): string {
  // Each curl's answer on a line of its own, so answers and commands pair up.
  return `set -euo pipefail\ncurl() { command curl -w '\\n' "$@"; }\n${block.replaceAll('http://127.0.0.1:7071', hostUrl)}`;
}
