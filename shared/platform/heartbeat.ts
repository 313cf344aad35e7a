import type { Services } from './services.js';

const heartbeatsKey = 'heartbeats';

export interface Heartbeat {
  hostId: string;
  at: string;
}

/** Records that this host instance is alive; a sorted set scored by time keeps one entry per host. */
export async function recordHeartbeat(services: Services, now: Date): Promise<void> {
  await services.redis
    .multi()
    .zadd(heartbeatsKey, now.getTime(), services.hostId)
    // Hosts silent for a day are gone for good; keep the set small.
    .zremrangebyscore(heartbeatsKey, 0, now.getTime() - 86_400_000)
    .exec();
}

/** Hosts heard from within the window, newest first. */
export async function recentHeartbeats(services: Services, now: Date, withinMs: number): Promise<Heartbeat[]> {
  const flat = await services.redis.zrevrangebyscore(heartbeatsKey, '+inf', now.getTime() - withinMs, 'WITHSCORES');
  const beats: Heartbeat[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    beats.push({ hostId: flat[i] as string, at: new Date(Number(flat[i + 1])).toISOString() });
  }
  return beats;
}
