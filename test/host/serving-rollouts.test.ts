import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi, type JsonAnswer } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { registerTwoVersions, rolloutWhen, startTraffic } from '../support/serving-rollouts.js';

const fields = (answer: JsonAnswer) => (answer.body.error?.details as Array<{ field: string }> | undefined)?.map((d) => d.field) ?? [];

describe('canary rollouts through the local host', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const model = uniqueName('canaried');
  const newEndpoint = async (prefix: string) => {
    const name = uniqueName(prefix);
    const put = await call('PUT', `endpoints/${name}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] });
    expect(put.status, put.text).toBe(201);
    return name;
  };
  const weights = async (endpoint: string) => Object.fromEntries(((await call('GET', `endpoints/${endpoint}`)).body.variants as Array<{ name: string; weight: number }>).map((v) => [v.name, v.weight]));

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_SERVING_ALLOW_FAULTS: 'true' });
    await registerTwoVersions(call, model);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('rolls a candidate with injected errors, and one with injected latency, back by themselves, recording every check with its figures', async () => {
    const [erring, slow] = [await newEndpoint('erring'), await newEndpoint('slow')];
    const traffic = startTraffic(() => host, [erring, slow]);
    try {
      const start = (endpoint: string, faults: object, analysis: object) =>
        call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2, faults }, steps: [20, 50, 100], intervalSeconds: 2, analysis, failureLimit: 2 });
      const startedErring = await start(erring, { errorRate: 0.5 }, { minRequests: 5, maxErrorRate: 0.05 });
      const startedSlow = await start(slow, { latencyMs: 400 }, { minRequests: 3, maxErrorRate: 0.05, maxP99Ms: 200 });
      expect(startedErring.status, startedErring.text).toBe(202);
      expect(startedSlow.status, startedSlow.text).toBe(202);
      expect(startedErring.headers.get('location')).toBe(startedErring.body.statusUrl);

      const erred = await rolloutWhen(call, erring, startedErring.body.id, (r) => r.state !== 'running');
      const slowed = await rolloutWhen(call, slow, startedSlow.body.id, (r) => r.state !== 'running');
      for (const [rollout, pattern] of [
        [erred, /^error rate [\d.]+ > maxErrorRate 0.05$/],
        [slowed, /^p99 [\d.]+ ms > maxP99Ms 200$/],
      ] as const) {
        expect(rollout.state, JSON.stringify(rollout.checks)).toBe('rolled_back');
        expect(rollout.weight).toBe(0);
        expect(rollout.failures).toBe(2);
        const failedChecks = rollout.checks.filter((c) => c.decision === 'fail' || c.decision === 'rollback');
        expect(failedChecks).toHaveLength(2);
        for (const check of failedChecks) {
          expect(check.weight).toBe(20);
          expect(check.reasons).toContainEqual(expect.stringMatching(pattern));
          expect(check.candidate?.requests).toBeGreaterThanOrEqual(3);
          expect(check.stable?.requests).toBeGreaterThanOrEqual(3);
        }
        expect(rollout.checks.at(-1)).toMatchObject({ decision: 'rollback', nextWeight: 0 });
        expect(rollout.checks.every((c) => c.decision !== 'advance')).toBe(true);
      }
      expect(erred.checks.filter((c) => c.decision !== 'hold').every((c) => (c.candidate?.errorRate ?? 0) > 0.05)).toBe(true);
      expect(slowed.checks.filter((c) => c.decision !== 'hold').every((c) => (c.candidate?.p99Ms ?? 0) > 200)).toBe(true);

      // Rolled back at once: the candidate takes no traffic (it stays listed at 0, pinnable to debug).
      expect(await weights(erring)).toEqual({ stable: 100, canary: 0 });
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', `endpoints/${erring}/predict`, { inputs: { a: [i], b: [1] }, requestKey: `after-${i}` })));
      expect(new Set(answers.map((a) => a.body.variant))).toEqual(new Set(['stable']));

      const exposition = await (await fetch(`${host.url}/api/metrics`)).text();
      expect(exposition).toMatch(new RegExp(`arbor_rollout_checks_total\\{endpoint="${erring}",decision="rollback"\\} 1`));
      expect(exposition).toMatch(new RegExp(`arbor_rollouts_total\\{endpoint="${slow}",event="rolled_back"\\} 1`));
      expect(exposition).toMatch(new RegExp(`arbor_rollout_candidate_weight\\{endpoint="${erring}"\\} 0`));
    } finally {
      await traffic.stop();
    }
  }, 120_000);

  it('promotes a healthy candidate to 100%; request keys stay on their variant as the weight moves below them; pause and resume hold it', async () => {
    const endpoint = await newEndpoint('healthy');
    const traffic = startTraffic(() => host, [endpoint]);
    const keys = Array.from({ length: 160 }, (_, i) => `user-${i}`);
    /** Which variant each key reaches, once two reads in a row agree (an instance reads an endpoint at most once a second). */
    const assignments = async (settled: (canary: Set<string>) => boolean) =>
      eventually(async () => {
        const read = async () => {
          const answers: string[] = [];
          for (let i = 0; i < keys.length; i += 40) {
            const batch = await Promise.all(keys.slice(i, i + 40).map((key) => call('POST', `endpoints/${endpoint}/predict`, { inputs: { a: [Math.random() * 4 - 2], b: [Math.random() * 4 - 2] }, requestKey: key })));
            answers.push(...batch.map((a) => a.body.variant as string));
          }
          return answers;
        };
        const first = await read();
        const second = await read();
        const canary = new Set(keys.filter((_, i) => first[i] === 'canary'));
        return first.join() === second.join() && settled(canary) ? canary : undefined;
      }, 30_000, 50);
    try {
      const started = await call('POST', `endpoints/${endpoint}/rollouts`, {
        candidate: { model, version: 2 },
        steps: [5, 25, 50, 100],
        intervalSeconds: 2,
        analysis: { minRequests: 3, maxErrorRate: 0.05, maxP99Ratio: 50, maxScorePsi: 1 },
        failureLimit: 3,
      });
      expect(started.status, started.text).toBe(202);
      const id = started.body.id as string;
      expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/pause`)).status).toBe(202);
      const paused = await rolloutWhen(call, endpoint, id, (r) => r.state === 'paused');
      expect(paused.weight).toBe(5);
      expect(await weights(endpoint)).toEqual({ stable: 95, canary: 5 });
      const atFive = await assignments((canary) => canary.size > 0);

      expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/resume`)).status).toBe(202);
      await rolloutWhen(call, endpoint, id, (r) => r.weight >= 25);
      expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/pause`)).status).toBe(202);
      const pausedAgain = await rolloutWhen(call, endpoint, id, (r) => r.state === 'paused');
      expect(pausedAgain.weight).toBeGreaterThanOrEqual(25);
      const later = await assignments((canary) => canary.size > atFive.size);
      // Every key the candidate served at 5% it still serves; every key the stable serves now it served then.
      expect([...atFive].filter((key) => !later.has(key))).toEqual([]);
      expect(later.size / keys.length).toBeGreaterThan(0.1);

      expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/resume`)).status).toBe(202);
      const promoted = await rolloutWhen(call, endpoint, id, (r) => r.state !== 'running' && r.state !== 'paused');
      expect(promoted.state, JSON.stringify(promoted.checks)).toBe('promoted');
      expect(promoted.weight).toBe(100);
      const decisive = promoted.checks.filter((c) => c.decision !== 'hold');
      expect(decisive.map((c) => c.decision)).toEqual([...decisive.slice(0, -1).map(() => 'advance'), 'promote']);
      expect(decisive.map((c) => c.nextWeight)).toEqual(decisive.map((c) => c.nextWeight).sort((a, b) => a - b));
      expect(decisive.at(-1)).toMatchObject({ weight: 50, nextWeight: 100 });
      for (const check of decisive) {
        expect(check.candidate?.requests).toBeGreaterThanOrEqual(3);
        // PSI is judged only on minScoreRows (default 50) scores a side; a smaller sample of a
        // healthy candidate can read above 1 by chance and must not block it.
        expect(typeof check.scorePsi).toBe('number');
        const judged = (check.candidate?.requests ?? 0) >= 50 && (check.stable?.requests ?? 0) >= 50;
        if (judged) expect(check.scorePsi).toBeLessThanOrEqual(1);
        expect(check.p99Ratio).toBeGreaterThan(0);
      }
      expect(promoted.events.map((e) => e.event)).toEqual(['started', 'paused', 'resumed', 'paused', 'resumed', 'promoted']);
      // Promoted as Flagger finishes: the stable variant serves the candidate's version at 100; the candidate variant is gone.
      const finished = (await call('GET', `endpoints/${endpoint}`)).body;
      expect(finished.variants).toEqual([{ name: 'stable', model, version: 2, weight: 100 }]);
    } finally {
      await traffic.stop();
    }
  }, 120_000);

  it('frees the endpoint when the orchestration is gone: abort then acts directly', async () => {
    const endpoint = await newEndpoint('orphaned');
    const started = await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2 }, steps: [10, 100], intervalSeconds: 3600 });
    expect(started.status, started.text).toBe(202);
    const id = started.body.id as string;
    await rolloutWhen(call, endpoint, id, (r) => r.events.some((e) => e.event === 'started'));
    const durable = (path: string) => `${host.url}/runtime/webhooks/durabletask/${path}`;
    const headers = { 'x-functions-key': host.systemKey, 'content-type': 'application/json' };
    expect((await fetch(durable(`instances/${id}/terminate?reason=lost`), { method: 'POST', headers })).status).toBe(202);
    await eventually(async () => {
      const status = (await (await fetch(durable(`instances/${id}`), { headers })).json()) as { runtimeStatus: string };
      return status.runtimeStatus === 'Terminated' ? true : undefined;
    });
    expect((await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2, name: 'other' } })).status).toBe(409);
    expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/abort`)).status).toBe(202);
    const aborted = await rolloutWhen(call, endpoint, id, (r) => r.state === 'aborted');
    expect(aborted.weight).toBe(0);
    expect(await weights(endpoint)).toEqual({ stable: 100, canary: 0 });
    const next = await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2 }, intervalSeconds: 3600 });
    expect(next.status, next.text).toBe(202);
    expect((await call('POST', `endpoints/${endpoint}/rollouts/${next.body.id}/abort`)).status).toBe(202);
    await rolloutWhen(call, endpoint, next.body.id, (r) => r.state === 'aborted');
  });

  it('refuses bad rollouts naming the field, a second rollout on an endpoint (409), and commands the state does not take; nothing changed', async () => {
    const endpoint = await newEndpoint('guarded');
    const before = (await call('GET', `endpoints/${endpoint}`)).body;
    const start = (body: object) => call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2 }, intervalSeconds: 3600, ...body });
    const tries: Array<[object, string[]]> = [
      [{ candidate: { model: uniqueName('nobody'), version: 1 } }, ['candidate.model']],
      [{ candidate: { model, version: 9 } }, ['candidate.version']],
      [{ candidate: { model, version: 1 } }, ['candidate.version']],
      [{ candidate: { model, version: 2, name: 'stable' } }, ['candidate.name']],
      [{ steps: [50, 20, 100] }, ['steps[1]']],
      [{ steps: [0, 101] }, ['steps[0]', 'steps[1]']],
      [{ steps: [] }, ['steps']],
      [{ intervalSeconds: 0 }, ['intervalSeconds']],
      [{ analysis: { maxErrorRate: 2, colour: 'red' } }, ['analysis.maxErrorRate', 'analysis']],
      [{ failureLimit: 0 }, ['failureLimit']],
      [{ metrics: { provider: 'prometheus' } }, ['metrics.provider']],
      [{ metrics: { provider: 'datadog' } }, ['metrics.provider']],
    ];
    for (const [body, expected] of tries) {
      const answer = await start(body);
      expect(answer.status, `${JSON.stringify(body)}: ${answer.text}`).toBe(400);
      expect(fields(answer), JSON.stringify(body)).toEqual(expected);
    }
    expect((await call('POST', `endpoints/${uniqueName('nowhere')}/rollouts`, { candidate: { model, version: 2 } })).status).toBe(404);
    const split = await newEndpoint('split');
    await call('PUT', `endpoints/${split}`, { variants: [{ name: 'a', model, version: 1, weight: 60 }, { name: 'b', model, version: 2, weight: 40 }] });
    expect(fields(await call('POST', `endpoints/${split}/rollouts`, { candidate: { model, version: 2, name: 'c' } }))).toEqual(['(endpoint)']);
    expect((await call('GET', `endpoints/${endpoint}`)).body.revision).toBe(before.revision);
    expect((await call('GET', `endpoints/${endpoint}/rollouts`)).body.rollouts).toEqual([]);

    const first = await start({});
    expect(first.status, first.text).toBe(202);
    const id = first.body.id as string;
    await rolloutWhen(call, endpoint, id, (r) => r.events.some((e) => e.event === 'started'));
    const revision = (await call('GET', `endpoints/${endpoint}`)).body.revision;
    const second = await start({ candidate: { model, version: 2, name: 'other' } });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(id);
    expect((await call('GET', `endpoints/${endpoint}`)).body.revision).toBe(revision);
    expect((await call('GET', `endpoints/${endpoint}/rollouts`)).body.rollouts.map((r: { id: string }) => r.id)).toEqual([id]);

    expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/resume`)).status).toBe(409);
    expect(fields(await call('POST', `endpoints/${endpoint}/rollouts/${id}/restart`))).toEqual(['command']);
    expect(fields(await call('GET', `endpoints/${endpoint}/rollouts/not-an-id`))).toEqual(['id']);
    expect((await call('GET', `endpoints/${endpoint}/rollouts/ro-00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await call('POST', `endpoints/${endpoint}/rollouts/ro-00000000-0000-4000-8000-000000000000/abort`)).status).toBe(404);

    expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/abort`)).status).toBe(202);
    const aborted = await rolloutWhen(call, endpoint, id, (r) => r.state === 'aborted');
    expect(aborted.weight).toBe(0);
    expect(await weights(endpoint)).toEqual({ stable: 100, canary: 0 });
    expect((await call('POST', `endpoints/${endpoint}/rollouts/${id}/promote`)).status).toBe(409);
    // The slot is free again; the candidate's weight-0 variant is replaced by the next rollout's.
    const again = await start({});
    expect(again.status, again.text).toBe(202);
    expect((await call('POST', `endpoints/${endpoint}/rollouts/${again.body.id}/promote`)).status).toBe(202);
    await rolloutWhen(call, endpoint, again.body.id, (r) => r.state === 'promoted');
    expect((await call('GET', `endpoints/${endpoint}`)).body.variants).toEqual([{ name: 'stable', model, version: 2, weight: 100 }]);
  });
});
