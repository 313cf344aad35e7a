import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildManifest, formatOfFileName } from '../../../shared/landing/manifest.js';

describe('file manifests', () => {
  it('counts CSV data rows without the header, with or without a final newline', () => {
    expect(buildManifest(Buffer.from('a,b\n1,2\n3,4\n'), 'csv').rows).toBe(2);
    expect(buildManifest(Buffer.from('a,b\r\n1,2\r\n3,4'), 'csv').rows).toBe(2);
    expect(buildManifest(Buffer.from(''), 'csv').rows).toBe(0);
  });

  it('counts JSONL records, ignoring blank lines, and hashes the bytes', () => {
    const content = Buffer.from('{"a":1}\n\n{"a":2}\n');
    const manifest = buildManifest(content, 'jsonl');
    expect(manifest.rows).toBe(2);
    expect(manifest.bytes).toBe(content.length);
    expect(manifest.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(buildManifest(content, 'parquet').rows).toBeNull();
  });

  it('knows formats by extension', () => {
    expect(formatOfFileName('x/y.CSV')).toBe('csv');
    expect(formatOfFileName('y.ndjson')).toBe('jsonl');
    expect(formatOfFileName('y.txt')).toBeUndefined();
  });
});
