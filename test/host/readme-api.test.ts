import { describe, expect, it } from 'vitest';
import { useDocumentedHost } from '../support/documented-commands.js';
import { eventually } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';
import { readmeShBlock, shBlockAfter } from '../support/readme-blocks.js';

/**
 * README.md "API" runs as written, top to bottom, against a fresh host (runDocumentedCommands
 * says what is checked of each command), and what it set up is there afterwards. The examples
 * of docs/ that start from the state it leaves run after it.
 */
describe('README: the API walk-through', () => {
  const documented = useDocumentedHost();
  const call = jsonApi(() => documented.host);

  it('runs as written, and answers what it says', async () => {
    const block = await readmeShBlock('## API');
    await documented.run(block);
    expect(block).toMatch(/\/api\/metrics \| grep arbor_function/);

    // What the block set up is there: the landed file catalogued, the run finished, the items stored.
    const files = await eventually(async () => {
      const { files } = (await call('GET', 'datasets/orders/files')).body as { files: Array<{ file: string }> };
      return files.length ? files : undefined;
    }, 30_000);
    expect(files.map((f) => f.file)).toEqual(['2026/jan.csv']);
    const { runs } = (await call('GET', 'pipelines/hello/runs')).body as { runs: Array<{ runId: string }> };
    expect(runs).toHaveLength(1);
    const finished = await eventually(async () => {
      const state = (await call('GET', `runs/${runs[0]?.runId}`)).body;
      return state.state === 'running' || state.state === 'pending' ? undefined : state;
    }, 30_000);
    expect(finished.state).toBe('succeeded');
    expect((await call('GET', 'collections/docs')).body.items).toBe(2);
  }, 150_000);

  it('leaves the state the examples of docs/features.md and docs/grpc.md start from, and they answer what they say', async () => {
    await documented.run(await shBlockAfter('docs/features.md', "After the README's API walk-through"));
    await documented.run(await shBlockAfter('docs/grpc.md', 'The Connect protocol over the Function App route'));
  });
});
