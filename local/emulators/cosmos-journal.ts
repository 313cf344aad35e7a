import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

/** One write the emulator acknowledged, as the request that made it (replayed in order at start). */
export interface JournalEntry {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The entries of a journal file. A last line cut short by a crash was never acknowledged (the
 * proxy answers only after fsync), so it is dropped; a damaged line anywhere else is refused.
 */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      const last = lines.slice(index + 1).every((rest) => !rest.trim());
      if (!last) throw new Error(`${file}: line ${index + 1} is not JSON; the local Cosmos journal is damaged (move it away to start empty)`);
    }
  });
  return entries;
}

/** Replaces the journal with `entries` so that a crash leaves either the old file or the new one. */
export function rewriteJournal(file: string, entries: readonly JournalEntry[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.compacting`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(dirname(file));
}

/** Appends entries durably: when `append` returns, the entry survives a crash of the machine. */
export class JournalWriter {
  #fd: number | undefined;

  constructor(file: string) {
    this.#fd = openSync(file, 'a');
  }

  append(entry: JournalEntry): void {
    if (this.#fd === undefined) throw new Error('the Cosmos journal is closed');
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
