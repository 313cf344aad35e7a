import { createHash } from 'node:crypto';
import type { FileFormat } from './datasets.js';

export interface FileManifest {
  bytes: number;
  sha256: string;
  /** Data rows (CSV without its header, JSONL lines); null where counting needs a decoder (parquet). */
  rows: number | null;
}

const extensions: Record<string, FileFormat> = { csv: 'csv', jsonl: 'jsonl', ndjson: 'jsonl', parquet: 'parquet' };

export function formatOfFileName(name: string): FileFormat | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return extension ? extensions[extension] : undefined;
}

function countLines(content: Buffer): number {
  let lines = 0;
  let sawContent = false;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === 0x0a) {
      if (sawContent) lines++;
      sawContent = false;
    } else if (content[i] !== 0x0d) {
      sawContent = true;
    }
  }
  return sawContent ? lines + 1 : lines;
}

export function buildManifest(content: Buffer, format: FileFormat): FileManifest {
  const sha256 = createHash('sha256').update(content).digest('hex');
  let rows: number | null = null;
  if (format === 'csv') rows = Math.max(0, countLines(content) - 1);
  else if (format === 'jsonl') rows = countLines(content);
  return { bytes: content.length, sha256, rows };
}
