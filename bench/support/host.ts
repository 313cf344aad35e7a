import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Starts `node dist/local/main.js` (what `npm start` runs) for a benchmark, with its own database, prefix and hub. */
export async function startBenchHost(env: Record<string, string>): Promise<{ url: string; env: Record<string, string>; stop: () => void }> {
  const stamp = Date.now();
  const hostEnv = {
    ...(process.env as Record<string, string>),
    ...env,
    PORT: '0',
    ARBOR_LOG_LEVEL: 'warning',
    ARBOR_DURABLE_MAX_ACTIVITIES: '32',
    COSMOS_DATABASE: `bench${stamp}`,
    REDIS_KEY_PREFIX: `bench${stamp}:`,
    ARBOR_TASK_HUB: `Bench${stamp}`,
  };
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'local', 'main.js')], { env: hostEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const up = /Arbor is up: (http:\/\/\S+)\/api\/health/.exec(chunk.toString());
      if (up) resolve(up[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
  });
  return { url, env: hostEnv, stop: () => child.kill('SIGTERM') };
}
