import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, type HostProcess } from '../support/host-process.js';

describe('a timer runs end to end on its NCRONTAB schedule', () => {
  let host: HostProcess;
  const redis = redisClient();

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_HEARTBEAT_SCHEDULE: '* * * * * *', ARBOR_HOST_ID: 'timer-test-host' });
  });
  afterAll(async () => {
    await host.stop();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('fires every second (schedule from ARBOR_HEARTBEAT_SCHEDULE) and health lists the host', async () => {
    const key = `${host.redisPrefix}heartbeats`;
    const first = await eventually(async () => (await redis.zscore(key, 'timer-test-host')) ?? undefined);
    const later = await eventually(async () => {
      const score = await redis.zscore(key, 'timer-test-host');
      return score && Number(score) > Number(first) ? score : undefined;
    }, 5_000);
    // Fires land on whole seconds.
    expect(Number(later) - Number(first)).toBeGreaterThanOrEqual(900);
    const health = (await (await fetch(`${host.url}/api/health`)).json()) as { hosts: Array<{ hostId: string }> };
    expect(health.hosts.map((h) => h.hostId)).toContain('timer-test-host');
    const metrics = await (await fetch(`${host.url}/api/metrics`)).text();
    expect(metrics).toMatch(/arbor_function_invocations_total\{function="heartbeat",trigger="timerTrigger",outcome="success"\} ([2-9]|\d\d)/);
  });
});
