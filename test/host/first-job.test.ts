import { describe, expect, it } from 'vitest';
import { useDocumentedHost } from '../support/documented-commands.js';
import { jsonApi } from '../support/json-api.js';
import { shBlocks } from '../support/readme-blocks.js';

/**
 * docs/first-job.md runs as written against a fresh host: its blocks in order in one shell (they
 * share the functions and variables the first ones define), each curl checked against the
 * comment under it (runDocumentedCommands), and the path it walks leaves what it says.
 */
describe('docs/first-job.md', () => {
  const documented = useDocumentedHost();
  const call = jsonApi(() => documented.host);

  it('walks landing -> pipeline -> ingest -> materialize -> online -> training set -> drift as written', async () => {
    const blocks = await shBlocks('docs/first-job.md');
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    await documented.run(blocks.join('\n'));

    // The pipeline read the landed file and wrote where ingestion looks; ingestion stored every day of every card.
    const { runs } = (await call('GET', 'pipelines/card-daily/runs')).body as { runs: Array<{ state: string }> };
    expect(runs.map((r) => r.state)).toEqual(['succeeded']);
    const online = (await call('POST', 'features/online', { features: ['card_daily:txns'], entities: { card_id: Array.from({ length: 50 }, (_, i) => i + 1) } })).body;
    // Every card was ingested: none is missing (a card whose newest day is past the 3-day TTL reads stale).
    const statuses = online.results.map((r: { status: Record<string, string> }) => r.status['card_daily:txns']);
    expect(statuses.filter((status: string) => status !== 'present' && status !== 'stale')).toEqual([]);
    expect(statuses.filter((status: string) => status === 'present').length).toBeGreaterThan(40);
    const drift = (await call('GET', 'drift/card_daily')).body;
    expect(JSON.stringify(drift)).toContain('"drifted":true');
  }, 200_000);
});
