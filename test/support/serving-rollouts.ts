import { expect } from 'vitest';
import { logisticRegressionOnnx } from '../../shared/serving/onnx-writer.js';
import { eventually, type HostProcess } from './host-process.js';
import type { JsonAnswer } from './json-api.js';

type Call = (method: string, path: string, body?: unknown) => Promise<JsonAnswer>;

/** Two inputs the request sends, no features: a rollout test needs no feature store. */
export const rawSignature = {
  inputs: [{ name: 'features', type: 'float32', shape: [-1, 2], columns: [{ input: 'a' }, { input: 'b' }] }],
  outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }],
};

/** A model with two close versions (1 and 2: scores alike, so a score PSI check passes). */
export async function registerTwoVersions(call: Call, model: string): Promise<void> {
  expect((await call('PUT', `models/${model}`, { task: 'binary_classification' })).status).toBe(201);
  for (const spec of [{ weights: [0.5, -0.3], bias: 0.1 }, { weights: [0.48, -0.28], bias: 0.11 }]) {
    const answer = await call('POST', `models/${model}/versions`, { artifact: { base64: Buffer.from(logisticRegressionOnnx(spec)).toString('base64') }, signature: rawSignature });
    expect(answer.status, answer.text).toBe(201);
  }
}

/** Predict requests sent back to back by `concurrency` loops (no requestKey: routed at random) until stopped. */
export function startTraffic(host: () => HostProcess, endpoints: readonly string[], concurrency = 2): { stop(): Promise<number> } {
  let stopped = false;
  let sent = 0;
  const loops = endpoints.flatMap((endpoint) =>
    Array.from({ length: concurrency }, async () => {
      while (!stopped) {
        const body = JSON.stringify({ inputs: { a: [Math.random() * 4 - 2], b: [Math.random() * 4 - 2] } });
        await fetch(`${host().url}/api/endpoints/${endpoint}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then((response) => response.arrayBuffer())
          .catch(() => undefined);
        sent++;
      }
    }),
  );
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return sent;
    },
  };
}

export interface RolloutView {
  id: string;
  state: string;
  weight: number;
  failures: number;
  reason?: string;
  checks: Array<{ seq: number; weight: number; decision: string; reasons: string[]; nextWeight: number; candidate?: { requests: number; errorRate: number; p99Ms?: number }; stable?: { requests: number }; p99Ratio?: number; scorePsi?: number }>;
  events: Array<{ event: string; weight: number }>;
}

export async function rolloutWhen(call: Call, endpoint: string, id: string, done: (rollout: RolloutView) => boolean, timeoutMs = 60_000): Promise<RolloutView> {
  return eventually(async () => {
    const answer = await call('GET', `endpoints/${endpoint}/rollouts/${id}`);
    const rollout = answer.body as RolloutView;
    return answer.status === 200 && done(rollout) ? rollout : undefined;
  }, timeoutMs, 100);
}
