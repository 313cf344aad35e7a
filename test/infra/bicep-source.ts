import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Reading Bicep as text, for the offline infra tests: no Bicep compiler can run here, so the
 * tests find declarations by their shape. Every helper throws when what it looks for is absent,
 * so a test built on them cannot pass by finding nothing.
 */

export const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Source without `//` comments (a `//` inside a string, as in URLs, is kept). */
export function stripComments(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === "'" && line[i - 1] !== '\\') inString = !inString;
        if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The balanced `{...}` or `[...]` that opens at the first bracket after `marker`. */
export function blockAfter(source: string, marker: RegExp, open = '{'): string {
  const close = open === '{' ? '}' : ']';
  const match = marker.exec(source);
  if (!match) throw new Error(`${marker} not found`);
  const start = source.indexOf(open, match.index);
  if (start < 0) throw new Error(`no ${open} after ${marker}`);
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === open) depth++;
    else if (source[i] === close && --depth === 0) return source.slice(start + 1, i);
  }
  throw new Error(`unbalanced block after ${marker}`);
}

/** Keys of an object literal body, top level only. */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of stripComments(body).split('\n')) {
    if (depth === 0) {
      const key = /^\s*'?([A-Za-z_][\w-]*)'?\s*:/.exec(line);
      if (key) keys.push(key[1] as string);
    }
    for (const ch of line) {
      if (ch === '{' || ch === '[' || ch === '(') depth++;
      else if (ch === '}' || ch === ']' || ch === ')') depth--;
    }
  }
  return keys;
}

/** The decorator lines (`@...`) written directly above `param <name>`. */
export function paramDecorators(source: string, name: string): string {
  const lines = stripComments(source).split('\n');
  const at = lines.findIndex((line) => new RegExp(`^param\\s+${name}\\s`).test(line));
  if (at < 0) throw new Error(`param ${name} not found`);
  const decorators: string[] = [];
  for (let i = at - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (/^\s*$/.test(line)) break;
    decorators.unshift(line);
  }
  // A multi-line decorator (`@allowed([` ... `])`) is kept whole because it sits between the two.
  return decorators.join('\n');
}

/** The values of `@allowed([...])` above `param <name>`, as written (strings unquoted). */
export function allowedValues(source: string, name: string): string[] {
  const decorators = paramDecorators(source, name);
  const list = blockAfter(decorators, /@allowed\(\s*\[/, '[');
  const values = list
    .split(/[\s,]+/)
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token) => token.replace(/^'(.*)'$/, '$1'));
  if (values.length === 0) throw new Error(`@allowed of param ${name} is empty`);
  return values;
}

/** `resource <symbol> '<type>@<version>'` declarations with the decorators above each. */
export function resources(source: string): { symbol: string; type: string; decorators: string; body: string }[] {
  const found: { symbol: string; type: string; decorators: string; body: string }[] = [];
  const lines = stripComments(source).split('\n');
  for (const [i, line] of lines.entries()) {
    const match = /^resource\s+(\w+)\s+'([^']+)'/.exec(line);
    if (!match) continue;
    const decorators: string[] = [];
    for (let j = i - 1; j >= 0 && /^\s*@/.test(lines[j] as string); j--) decorators.unshift(lines[j] as string);
    const rest = lines.slice(i).join('\n');
    // The declaration line ends with the `{` that opens the body (after `[for ...:` or `if (...)`).
    found.push({ symbol: match[1] as string, type: match[2] as string, decorators: decorators.join('\n'), body: blockAfter(rest, /\{[ \t]*$/m) });
  }
  return found;
}

/** The one resource with this symbolic name. */
export function resource(source: string, symbol: string): { type: string; decorators: string; body: string } {
  const match = resources(source).filter((r) => r.symbol === symbol);
  if (match.length !== 1) throw new Error(`expected one resource ${symbol}, found ${match.length}`);
  return match[0] as { type: string; decorators: string; body: string };
}

/** Every .ts file under the given folders of the app (not tests). */
export function sourceFiles(...folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts')) files.push(path);
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return files;
}

/** The subset of YAML azure.yaml uses: nested maps of scalars by indentation. */
export function parseSimpleYaml(text: string): Record<string, unknown> {
  const rootMap: Record<string, unknown> = {};
  const stack: { indent: number; map: Record<string, unknown> }[] = [{ indent: -1, map: rootMap }];
  for (const raw of text.split('\n')) {
    if (/^\s*(#|$)/.test(raw)) continue;
    const match = /^(\s*)([\w.-]+):\s*(.*)$/.exec(raw);
    if (!match) throw new Error(`azure.yaml: cannot read line "${raw}"`);
    const indent = (match[1] as string).length;
    while ((stack.at(-1) as { indent: number }).indent >= indent) stack.pop();
    const parent = (stack.at(-1) as { map: Record<string, unknown> }).map;
    const value = (match[3] as string).replace(/\s+#.*$/, '');
    if (value === '') {
      const child: Record<string, unknown> = {};
      parent[match[2] as string] = child;
      stack.push({ indent, map: child });
    } else parent[match[2] as string] = value;
  }
  return rootMap;
}
