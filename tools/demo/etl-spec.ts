import type { PipelineSpec } from './api.js';
import type { DemoNames } from './names.js';

/** Where the pipeline leaves what later stages read. */
export function etlOutputs(names: DemoNames) {
  return {
    curated: { container: 'curated', blob: `${names.dataset}/transactions.parquet` },
    cardSpend: { container: 'ingest', blob: `${names.cardSpend}/card-spend.parquet` },
    merchantRisk: { container: 'ingest', blob: `${names.merchantRisk}/merchant-risk.parquet` },
    labels: { container: 'training-sets', blob: `${names.tag}/labels.parquet` },
  };
}

const staged = (step: string) => ({ container: `\${{ steps.${step}.outputs.container }}`, blob: `\${{ steps.${step}.outputs.blob }}` });
const load = (id: string, from: string, to: { container: string; blob: string }, tier: 'Hot' | 'Cool') => ({
  id,
  uses: 'blob.load',
  dependsOn: [from],
  with: { from: staged(from), to, tier },
});
const sql = (id: string, from: string, query: string) => ({ id, uses: 'duckdb.sql', dependsOn: [from], with: { inputs: { tx: staged(from) }, sql: query } });

/**
 * The ETL pipeline: extract the landed CSV files with exact types, drop reversals, keep the
 * clean transactions as parquet in the Cool tier, and compute from them the two feature views'
 * rows (written where ingestion picks them up) and the labelled rows of the training set.
 * `labelEvery` keeps one transaction in that many as a label row.
 */
export function etlSpec(names: DemoNames, labelEvery: number): PipelineSpec {
  const out = etlOutputs(names);
  return {
    name: names.etl,
    maxParallel: 4,
    steps: [
      {
        id: 'extract',
        uses: 'blob.extract',
        with: {
          container: 'landing',
          prefix: `${names.dataset}/`,
          format: 'csv',
          columns: { tx_id: 'BIGINT', card_id: 'BIGINT', merchant_id: 'BIGINT', ts: 'TIMESTAMPTZ', amount: 'DOUBLE', is_fraud: 'INTEGER' },
        },
      },
      sql('clean', 'extract', 'SELECT tx_id, card_id, merchant_id, ts, amount, is_fraud FROM tx WHERE amount > 0 AND ts IS NOT NULL'),
      load('load_curated', 'clean', out.curated, 'Cool'),
      // Per card, at each of its transactions: spend and count over the day before, and spend
      // and average amount over the week before (the transaction included).
      sql(
        'card_spend',
        'clean',
        `SELECT card_id, ts AS event_timestamp,
           round(sum(amount) OVER d1, 2) AS spend_24h, count(*) OVER d1 AS txns_24h,
           round(sum(amount) OVER d7, 2) AS spend_7d, round(avg(amount) OVER d7, 2) AS avg_amount_7d
         FROM tx
         WINDOW d1 AS (PARTITION BY card_id ORDER BY ts RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW),
                d7 AS (PARTITION BY card_id ORDER BY ts RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)`,
      ),
      load('load_card_spend', 'card_spend', out.cardSpend, 'Hot'),
      // Per merchant and day (known at the day's last transaction): transactions and the
      // smoothed fraud rate over the seven days up to it.
      sql(
        'merchant_risk',
        'clean',
        `SELECT merchant_id, last_ts AS event_timestamp,
           CAST(sum(n) OVER w AS BIGINT) AS txns_7d,
           round((CAST(sum(frauds) OVER w AS DOUBLE) + 0.3) / (CAST(sum(n) OVER w AS DOUBLE) + 20), 5) AS fraud_rate_7d
         FROM (SELECT merchant_id, CAST(ts AS DATE) AS day, max(ts) AS last_ts, count(*) AS n, sum(is_fraud) AS frauds
               FROM tx GROUP BY merchant_id, CAST(ts AS DATE))
         WINDOW w AS (PARTITION BY merchant_id ORDER BY day RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW)`,
      ),
      load('load_merchant_risk', 'merchant_risk', out.merchantRisk, 'Hot'),
      // A second before each kept transaction: its features are those known just before it.
      sql(
        'labels',
        'clean',
        `SELECT card_id, merchant_id, ts - INTERVAL 1 SECOND AS event_timestamp, amount, is_fraud FROM tx WHERE tx_id % ${labelEvery} = 0 ORDER BY tx_id`,
      ),
      load('load_labels', 'labels', out.labels, 'Hot'),
    ],
  };
}
