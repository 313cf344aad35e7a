import { z } from 'zod';
import { DemoError, expectAnswer, jobResult, until } from './api.js';
import type { DemoContext } from './context.js';
import { count, seconds, timed } from './report.js';

export interface FeaturesResult {
  ingested: Record<string, { rows: number; partitions: number }>;
  materialized: Record<string, { written: number; older: number; entities: number }>;
  /** Online reads of a few cards and merchants: how many values came back present. */
  onlinePresent: number;
  onlineRead: number;
}

const ingestStatus = z.object({
  files: z.array(z.object({ file: z.string(), state: z.string(), rows: z.number().optional(), partitions: z.array(z.string()).optional(), problems: z.array(z.object({ field: z.string(), problem: z.string() })).optional() })),
});
const onlineAnswer = z.object({ results: z.array(z.object({ entity: z.record(z.string(), z.unknown()), values: z.record(z.string(), z.unknown()), status: z.record(z.string(), z.string()) })) });
const counts = z.object({ written: z.number(), older: z.number().optional(), entities: z.number().optional() });

/**
 * Stage 2: the ETL's feature files are ingested by the ingest trigger (validated, written as
 * offline parquet partitions and, the views being online, to Redis); materialization then
 * copies the newest offline row per entity online (here it finds Redis already current), and
 * online reads serve the latest values.
 */
export async function ingestAndMaterialize(context: DemoContext): Promise<FeaturesResult> {
  const { arbor, names, report } = context;
  const ingested: FeaturesResult['ingested'] = {};
  for (const view of [names.cardSpend, names.merchantRisk]) {
    const waited = await timed(() =>
      until(
        `ingestion of ${view} (is ingest-feature-file disabled?)`,
        async () => {
          const status = expectAnswer(await arbor.call('get-ingest-status', { params: { view } }), [200], `GET /api/features/ingest/${view}`, ingestStatus);
          const file = status.files[0];
          if (file?.state === 'quarantined') throw new DemoError(`${file.file} was quarantined: ${(file.problems ?? []).map((p) => `${p.field}: ${p.problem}`).join('; ')}`);
          return file?.state === 'ingested' ? file : undefined;
        },
        300_000,
        500,
      ),
    );
    ingested[view] = { rows: waited.value.rows ?? 0, partitions: waited.value.partitions?.length ?? 0 };
    report.line(`ingested ${view}: ${count(waited.value.rows ?? 0)} rows into ${waited.value.partitions?.length ?? 0} daily offline partitions, newest per entity online (waited ${seconds(waited.ms)})`);
  }

  // Both views at once: each a call of its own, or a job of its own on the platform.
  const materialized: FeaturesResult['materialized'] = {};
  await Promise.all(
    [names.cardSpend, names.merchantRisk].map(async (view) => {
      const done = await timed(async () => {
        // Inline when the view's new partitions are few enough, else a job (202) to follow.
        const answer = await arbor.call('materialize-features', { body: { view } });
        if (answer.status === 200) return expectAnswer(answer, [200], 'POST /api/features/materialize', counts);
        const job = expectAnswer(answer, [202], `POST /api/features/materialize (${view})`, z.object({ jobId: z.string() }));
        return counts.parse(await jobResult(arbor, job.jobId, 300_000));
      });
      materialized[view] = { written: done.value.written, older: done.value.older ?? 0, entities: done.value.entities ?? 0 };
      report.line(`materialized ${view}: ${count(done.value.entities ?? 0)} entities read, ${count(done.value.written)} written, ${count(done.value.older ?? 0)} already current online (${seconds(done.ms)})`);
    }),
  );

  const cards = [1, 2, 3];
  const merchants = [1, 2];
  const online = await timed(async () => {
    const cardAnswer = expectAnswer(
      await arbor.call('get-online-features', { body: { features: [`${names.cardSpend}:spend_24h`, `${names.cardSpend}:txns_24h`, `${names.cardSpend}:avg_amount_7d`], entities: { card_id: cards } } }),
      [200],
      'POST /api/features/online',
      onlineAnswer,
    );
    const merchantAnswer = expectAnswer(
      await arbor.call('get-online-features', { body: { features: [`${names.merchantRisk}:fraud_rate_7d`, `${names.merchantRisk}:txns_7d`], entities: { merchant_id: merchants } } }),
      [200],
      'POST /api/features/online',
      onlineAnswer,
    );
    return [...cardAnswer.results, ...merchantAnswer.results];
  });
  let present = 0;
  let read = 0;
  for (const result of online.value) {
    const statuses = Object.values(result.status);
    read += statuses.length;
    present += statuses.filter((s) => s === 'present').length;
    const values = Object.entries(result.values).map(([name, value]) => `${name.split(':')[1]}=${String(value)}`).join(' ');
    report.line(`  online ${JSON.stringify(result.entity)}: ${values}`);
  }
  report.line(`online reads: ${present} of ${read} values present (${seconds(online.ms)})`);
  return { ingested, materialized, onlinePresent: present, onlineRead: read };
}
