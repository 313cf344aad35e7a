import type { VariantFigures } from './rollout-definitions.js';
import { scoreBins } from './window.js';

/** The Prometheus HTTP API answer to an instant query with a vector result. */
interface VectorAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** A label value inside a PromQL string literal: names are already held to servingName, escaping is the second guard. */
function quoteLabel(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Reads a variant's figures from Prometheus with the queries Flagger's built-in checks use:
 * increase() of the request counter (all, and outcome="error"), histogram_quantile over the
 * rate of the latency buckets, and increase() of the score buckets (cumulative, differenced
 * here into the 20 bins the shared window uses). increase() extrapolates to the window's
 * edges, so counts are estimates, not whole numbers.
 */
export function prometheusProvider(baseUrl: string, fetcher: typeof fetch = fetch) {
  const base = baseUrl.replace(/\/+$/, '');
  async function query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    let response: Response;
    try {
      response = await fetcher(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new Error(`Prometheus at ${base} did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    const answer = (await response.json().catch(() => ({ status: 'error', error: `answered ${response.status} without JSON` }))) as VectorAnswer;
    if (answer.status !== 'success' || !answer.data) throw new Error(`Prometheus query failed: ${answer.error ?? response.status}`);
    return answer.data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
  }
  const scalar = async (promql: string): Promise<number | undefined> => {
    const [first] = await query(promql);
    return first === undefined || !Number.isFinite(first.value) ? undefined : first.value;
  };
  return {
    name: 'prometheus' as const,
    async variant(endpoint: string, variant: string, seconds: number): Promise<VariantFigures> {
      const selector = `endpoint=${quoteLabel(endpoint)},variant=${quoteLabel(variant)}`;
      const range = `[${seconds}s]`;
      const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(arbor_serving_request_duration_seconds_bucket{${selector}}${range})))`;
      const [requests, errors, p95, p99, buckets] = await Promise.all([
        scalar(`sum(increase(arbor_serving_requests_total{${selector}}${range}))`),
        scalar(`sum(increase(arbor_serving_requests_total{${selector},outcome="error"}${range}))`),
        scalar(quantile(0.95)),
        scalar(quantile(0.99)),
        query(`sum by (le) (increase(arbor_serving_score_bucket{${selector}}${range}))`),
      ]);
      const total = requests ?? 0;
      const failed = errors ?? 0;
      // Cumulative bucket counts by upper edge; bin i is (i/20, (i+1)/20].
      const cumulative = new Map(buckets.map((b) => [b.metric.le === '+Inf' ? Infinity : Number(b.metric.le), b.value]));
      const edges = [...cumulative.keys()].filter(Number.isFinite).sort((a, b) => a - b);
      const scoreCounts = Array.from({ length: scoreBins }, (_, i) => {
        const upper = edges.find((edge) => Math.abs(edge - (i + 1) / scoreBins) < 1e-9);
        const lower = edges.find((edge) => Math.abs(edge - i / scoreBins) < 1e-9);
        const at = (edge: number | undefined) => (edge === undefined ? 0 : (cumulative.get(edge) ?? 0));
        return Math.max(0, at(upper) - at(lower));
      });
      return {
        requests: total,
        errors: failed,
        errorRate: total > 0 ? Math.min(1, failed / total) : 0,
        ...(p95 === undefined ? {} : { p95Ms: p95 * 1000 }),
        ...(p99 === undefined ? {} : { p99Ms: p99 * 1000 }),
        scoreCounts,
      };
    },
  };
}
