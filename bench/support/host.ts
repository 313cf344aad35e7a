import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies } from '../../local/emulators/dependencies.js';
import { forgetRedisPrefix } from '../../local/redis-prefix.js';

/** Starts `node dist/local/main.js` (what `npm start` runs) for a benchmark, with its own database, prefix and hub. */
export async function startBenchHost(
  env: Record<string, string>,
  /** Arguments to main.js (`--instances 2`). */
  args: readonly string[] = [],
): Promise<{ url: string; grpcUrl: string; env: Record<string, string>; pid: number; stop: () => Promise<void> }> {
  const stamp = Date.now();
  const prefix = `bench${stamp}:`;
  const hostEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...env,
    PORT: '0',
    ARBOR_GRPC_PORT: '0',
    ARBOR_LOG_LEVEL: 'warning',
    ARBOR_DURABLE_MAX_ACTIVITIES: '32',
    COSMOS_DATABASE: `bench${stamp}`,
    REDIS_KEY_PREFIX: prefix,
    ARBOR_TASK_HUB: `Bench${stamp}`,
  };
  // BENCH_CPU_PROF=<dir>: the host writes a V8 CPU profile there when it stops (open it in
  // Chrome DevTools or speedscope), to find where a benchmark's time goes.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(process.cwd(), 'dist', 'local', 'main.js'), ...args], { env: hostEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const up = /Arbor is up: (http:\/\/\S+)\/api\/health/.exec(printed);
      if (up) resolve(up[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
  });
  const grpcUrl = /gRPC, gRPC-Web and Connect: (http:\/\/\S+)/.exec(printed)?.[1] ?? '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** Stops the host, waits for it to exit, then removes the Redis keys under its prefix (the shared Redis outlives the bench). */
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await forgetRedisPrefix(hostEnv.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
  };
  return { url, grpcUrl, env: hostEnv, pid: child.pid ?? 0, stop };
}

export type BenchHost = Awaited<ReturnType<typeof startBenchHost>>;

/** Emulators (in memory) and a local host for one benchmark or evaluation run; both stopped after. */
export async function withBenchHost<T>(dataDir: string, env: Record<string, string>, work: (host: BenchHost) => Promise<T>): Promise<T> {
  const dependencies = await ensureDependencies({ REDIS_URL: process.env.REDIS_URL }, { dataDir, inMemory: true });
  const host = await startBenchHost({ ...dependencies.env, ...env });
  try {
    return await work(host);
  } finally {
    await host.stop();
    await dependencies.stop();
  }
}

/** Runs a script's main, exiting non-zero with the error when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
