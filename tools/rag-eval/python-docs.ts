import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CorpusDocument } from './run.js';

/** Debian's python3.11-doc: the Python 3.11 manual as Sphinx-built HTML. Installed here, not committed. */
export const pythonDocsRoot = '/usr/share/doc/python3.11/html';
const debianPackage = 'python3.11-doc';

/** Generated lists of links, not prose: the indexes, the search page and the whole-manual table of contents. */
const notContent = (path: string) => /^genindex/.test(path) || ['search.html', 'py-modindex.html', 'contents.html'].includes(path);

export function ensurePythonDocs(): void {
  if (existsSync(join(pythonDocsRoot, 'index.html'))) return;
  if (process.getuid?.() !== 0) throw new Error(`the Python docs corpus is missing: apt-get install ${debianPackage} (as root), then run again`);
  console.log(`installing ${debianPackage} (the evaluation corpus) with apt-get`);
  execFileSync('apt-get', ['install', '-y', '-q', debianPackage], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export async function pythonDocsCorpus(): Promise<CorpusDocument[]> {
  ensurePythonDocs();
  const paths: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('_')) await walk(full);
      else if (entry.isFile() && entry.name.endsWith('.html')) paths.push(relative(pythonDocsRoot, full));
    }
  };
  await walk(pythonDocsRoot);
  const content = paths.filter((p) => !notContent(p)).sort();
  return Promise.all(content.map(async (id) => ({ id, text: await readFile(join(pythonDocsRoot, id), 'utf8'), format: 'html' as const })));
}
