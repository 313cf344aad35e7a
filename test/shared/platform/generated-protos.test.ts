import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The checked-in TypeScript of proto/ is what `npm run proto` (buf + protoc-gen-es) makes of it today. */
const root = join(import.meta.dirname, '..', '..', '..');
const generated = join(root, 'shared', 'platform', 'generated');

function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

describe('generated protobuf code', () => {
  it('matches proto/ (run `npm run proto` after changing a .proto)', () => {
    const out = mkdtempSync(join(tmpdir(), 'arbor-proto-'));
    try {
      const bin = join(root, 'node_modules', '.bin');
      const template = JSON.stringify({
        version: 'v2',
        inputs: [{ directory: 'proto' }],
        plugins: [{ local: join(bin, 'protoc-gen-es'), out, opt: ['target=ts', 'import_extension=js'] }],
      });
      execFileSync(join(bin, 'buf'), ['generate', '--template', template], { cwd: root, stdio: 'pipe', timeout: 60_000 });
      const fresh = files(out).map((file) => relative(out, file)).sort();
      expect(files(generated).map((file) => relative(generated, file)).sort()).toEqual(fresh);
      for (const file of fresh) expect(readFileSync(join(generated, file), 'utf8'), file).toBe(readFileSync(join(out, file), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
