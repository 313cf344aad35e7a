import { z } from 'zod';
import type { DemoContext } from './context.js';
import { transaction } from './data.js';
import { seeded, type Random } from './random.js';

/** One scored row as the endpoint answered it: what stage 5 logs for the drift job. */
export type ServedRow = {
  card_id: number;
  event_timestamp: string;
  amount: number;
  channel: string;
  score: number;
  is_fraud: boolean;
};

export interface TrafficStats {
  requests: number;
  rows: number;
  errors: number;
  /** Requests per variant name. */
  variants: Record<string, number>;
  /** Versions answered, per version number. */
  versions: Record<string, number>;
  latencyMs: number[];
  flagged: number;
}

export interface Traffic {
  readonly stats: TrafficStats;
  readonly served: ServedRow[];
  /** Stops the loops after the requests in flight. */
  stop(): Promise<TrafficStats>;
}

export interface TrafficShape {
  concurrency: number;
  rowsPerRequest: number;
  /** Stage 5's changed world. */
  shift?: { amountScale: number; riskyShare: number };
  /** Stop by itself after this many requests. */
  requests?: number;
  /** A pause between a loop's requests: traffic, not a load test, on a machine the platform shares. */
  pauseMs?: number;
  seed: number;
}

const predicted = z.object({ predictions: z.array(z.number()), variant: z.string(), version: z.number() });

export function emptyStats(): TrafficStats {
  return { requests: 0, rows: 0, errors: 0, variants: {}, versions: {}, latencyMs: [], flagged: 0 };
}

/**
 * Simulated card traffic: `concurrency` loops, each sending predict requests of a few live
 * transactions (cards and merchants of the data set, amounts as the cards spend) back to back,
 * through the endpoint, routed by its weights. Every answered row is kept with its score and
 * its (simulated) true label.
 */
export function startTraffic(context: DemoContext, shape: TrafficShape): Traffic & { done: Promise<TrafficStats> } {
  const { arbor, names, world } = context;
  const stats = emptyStats();
  const served: ServedRow[] = [];
  const random: Random = seeded(shape.seed);
  let stopped = false;
  let txId = 0;
  const loop = async () => {
    while (!stopped && (shape.requests === undefined || stats.requests + stats.errors < shape.requests)) {
      const now = Date.now();
      const rows = Array.from({ length: shape.rowsPerRequest }, () => transaction(world, random, ++txId, now, shape.shift));
      const started = performance.now();
      const answer = await arbor
        .call('predict-endpoint', {
          params: { name: names.endpoint },
          body: { entities: { card_id: rows.map((r) => r.cardId), merchant_id: rows.map((r) => r.merchantId) }, inputs: { amount: rows.map((r) => r.amount) } },
        })
        .catch(() => undefined);
      const latency = performance.now() - started;
      const parsed = answer?.status === 200 ? predicted.safeParse(answer.body) : undefined;
      if (!parsed?.success) {
        stats.errors++;
        // An endpoint that refuses everything is not hammered in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      stats.requests++;
      stats.rows += rows.length;
      stats.latencyMs.push(latency);
      stats.variants[parsed.data.variant] = (stats.variants[parsed.data.variant] ?? 0) + 1;
      stats.versions[`v${parsed.data.version}`] = (stats.versions[`v${parsed.data.version}`] ?? 0) + 1;
      const at = new Date(now).toISOString();
      rows.forEach((row, i) => {
        const score = parsed.data.predictions[i] ?? 0;
        if (score >= 0.5) stats.flagged++;
        served.push({ card_id: row.cardId, event_timestamp: at, amount: row.amount, channel: row.channel, score, is_fraud: row.fraud });
      });
      if (shape.pauseMs) await new Promise((resolve) => setTimeout(resolve, shape.pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: shape.concurrency }, loop)).then(() => stats);
  return {
    stats,
    served,
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** "1,234 requests (4,936 rows), p50 12 ms, p95 40 ms, 0 errors" */
export function describeTraffic(stats: TrafficStats): string {
  const versions = Object.entries(stats.versions).map(([version, n]) => `${version} ${n}`).join(', ');
  return `${stats.requests.toLocaleString('en-US')} requests (${stats.rows.toLocaleString('en-US')} rows; ${versions || 'none'}), p50 ${percentile(stats.latencyMs, 50).toFixed(0)} ms, p95 ${percentile(stats.latencyMs, 95).toFixed(0)} ms, ${stats.errors} errors, ${stats.flagged.toLocaleString('en-US')} rows scored >= 0.5`;
}
