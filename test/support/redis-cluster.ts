import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startTestRedis, type TestRedis } from './redis-server.js';

const run = promisify(execFile);

export interface TestRedisCluster {
  /** The masters' ports, in the order they were started. */
  ports: number[];
  /** One node's URL: the seed a client is given (REDIS_URL with REDIS_CLUSTER=true). */
  url: string;
  /** Stops every node and removes the temp dir; resolves once all have exited. */
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of three masters (no replicas) on free loopback ports, its node
 * configs in a temp dir, nothing persisted; owned by the test that starts it. Resolves once
 * every node reports `cluster_state:ok`, so the 16384 slots are served.
 */
export async function startTestRedisCluster(masters = 3, timeoutMs = 30_000): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'arbor-redis-cluster-'));
  const nodes: TestRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      nodes.push(
        await startTestRedis(port, 10_000, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--daemonize', 'no']),
      );
    }
    const ports = nodes.map((node) => node.port);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (const port of ports) {
      // Polls the node's own view until the slots it learned by gossip cover the keyspace.
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`the test Redis Cluster did not reach cluster_state:ok in ${timeoutMs} ms (node ${port}):\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return { ports, url: `redis://127.0.0.1:${ports[0]}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
