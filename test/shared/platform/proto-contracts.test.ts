import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The contracts under proto/ stay lint-clean (buf's STANDARD rules) and change compatibly: `buf
 * breaking` compares them with main's. A CI clone may have main under another name (origin/main)
 * or only the checked-out commit; the baseline is then HEAD, so the check still compares the
 * working tree with something real rather than passing by skipping.
 */
const root = join(import.meta.dirname, '..', '..', '..');
const buf = join(root, 'node_modules', '.bin', 'buf');

function run(command: string, args: string[], cwd = root): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(command, args, { cwd, stdio: 'pipe', timeout: 60_000, encoding: 'utf8' }) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The first of main, origin/main, HEAD that names a commit holding proto/. */
function baselineRef(): string {
  for (const ref of ['main', 'origin/main', 'HEAD']) {
    if (run('git', ['rev-parse', '--verify', '--quiet', `${ref}:proto`]).status === 0) return ref;
  }
  throw new Error('no commit with proto/ to compare with');
}

describe('protobuf contracts', () => {
  it('pass buf lint', () => {
    const result = run(buf, ['lint']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('make no breaking change against main (or HEAD when main is not in this clone)', () => {
    const ref = baselineRef();
    const baseline = mkdtempSync(join(tmpdir(), 'arbor-proto-baseline-'));
    try {
      const archive = join(baseline, 'baseline.tar');
      const paths = run('git', ['cat-file', '-e', `${ref}:buf.yaml`]).status === 0 ? ['buf.yaml', 'proto'] : ['proto'];
      expect(run('git', ['archive', '--format=tar', `--output=${archive}`, ref, ...paths]).status).toBe(0);
      expect(run('tar', ['-xf', archive, '-C', baseline]).status).toBe(0);
      rmSync(archive);
      if (!paths.includes('buf.yaml')) writeFileSync(join(baseline, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\n');
      const result = run(buf, ['breaking', '--against', baseline]);
      expect(result.output, `against ${ref}`).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(baseline, { recursive: true, force: true });
    }
  });

  it('buf breaking does find a breaking change (the check itself works)', () => {
    const changed = mkdtempSync(join(tmpdir(), 'arbor-proto-changed-'));
    try {
      writeFileSync(join(changed, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\nbreaking:\n  use:\n    - FILE\n');
      const dir = join(changed, 'proto', 'arbor', 'vectors', 'v1');
      execFileSync('mkdir', ['-p', dir]);
      // The shard's hit with its score renumbered: every old reader would misread it.
      writeFileSync(join(dir, 'shard_search.proto'), 'syntax = "proto3";\npackage arbor.vectors.v1;\nmessage Hit { string id = 1; double score = 9; }\n');
      const result = run(buf, ['breaking', changed, '--against', root]);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/score|deleted/i);
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });
});
