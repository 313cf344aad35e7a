import { afterEach, describe, expect, it } from 'vitest';
import { blobName, blobNameProblem, blobPrefix, dataContainerName, defaultDataContainers, setDataContainers } from '../../../shared/storage/blob-names.js';
import { blobLoadStep } from '../../../shared/pipelines/steps/blob-load.js';
import { duckdbSqlStep } from '../../../shared/pipelines/steps/duckdb-sql.js';
import { blobExtractStep } from '../../../shared/pipelines/steps/blob-extract.js';

afterEach(() => setDataContainers(defaultDataContainers));

const problems = (schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : (parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('names a caller may give for blobs', () => {
  it('refuses dot segments, backslashes, empty segments and control characters', () => {
    for (const bad of ['../azure-webjobs-secrets/host.json', 'a/../b', './a', 'a/.', 'a\\b', '/a', 'a/', 'a//b', 'a\u0000b', 'a\nb', '', 'x'.repeat(1025)]) {
      expect(blobNameProblem(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const good of ['a', 'raw/2026/12/01/tx.csv', 'a.b/c..d/.hidden', 'é/ü file.csv', 'x'.repeat(1024)]) {
      expect(blobNameProblem(good), good).toBeUndefined();
    }
    expect(problems(blobName, 'a/../b')).toEqual([': must not have "." or ".." path segments']);
    expect(problems(blobPrefix, 'raw/2026/')).toEqual([]);
    expect(problems(blobPrefix, '')).toEqual([]);
    expect(problems(blobPrefix, '../')).toHaveLength(1);
  });

  it('allows only the data containers, as configured', () => {
    expect(problems(dataContainerName, 'landing')).toEqual([]);
    for (const internal of ['azure-webjobs-secrets', 'azure-webjobs-hosts', 'durable-arborhub', 'vectors', 'offline', 'blobpoison']) {
      expect(problems(dataContainerName, internal)[0], internal).toMatch(/is not a data container/);
    }
    setDataContainers(['lake']);
    expect(problems(dataContainerName, 'lake')).toEqual([]);
    expect(problems(dataContainerName, 'landing')[0]).toMatch(/allowed: lake/);
  });

  it('guards every blob input of the built-in steps', () => {
    expect(problems(blobLoadStep.input, { from: { container: 'azure-webjobs-secrets', blob: 'host.json' }, to: { container: 'documents', blob: 'leak.txt' } })).toEqual([
      expect.stringMatching(/^from\.container: container "azure-webjobs-secrets" is not a data container/),
    ]);
    expect(problems(blobLoadStep.input, { from: { container: 'landing', blob: 'a/../../b' }, to: { container: 'exports', blob: 'b' } })).toEqual([
      'from.blob: must not have "." or ".." path segments',
    ]);
    expect(problems(duckdbSqlStep.input, { inputs: { t: { container: 'vectors', blob: 'x/log' } }, sql: 'SELECT * FROM t' })[0]).toMatch(/^inputs\.t\.container: .*not a data container/);
    expect(problems(blobExtractStep.input, { container: 'durable-arborhub', prefix: 'x', format: 'csv' })[0]).toMatch(/^container: .*not a data container/);
    expect(problems(blobExtractStep.input, { container: 'landing', prefix: '../x', format: 'csv' })[0]).toMatch(/^prefix: /);
  });
});
