import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { announcedAddress, hostCoverage, uniqueName } from './host-process.js';

export interface GrpcServerProcess {
  /** `127.0.0.1:<port>`, as grpc-js takes it. */
  address: string;
  url: string;
  output: string[];
  process: ChildProcess;
  database: string;
  stop(): Promise<number | null>;
}

/**
 * Starts `node dist/local/grpc/main.js`, the gRPC server on its own (the Container App's entry
 * point), against the run's emulators with its own Cosmos database and Redis prefix: the
 * server starts none itself.
 */
export async function startGrpcServerProcess(overrides: Record<string, string>, timeoutMs = 30_000): Promise<GrpcServerProcess> {
  const database = uniqueName('test');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...inject('arborEnv'),
    COSMOS_DATABASE: database,
    REDIS_KEY_PREFIX: `${database}:`,
    ARBOR_GRPC_HOST: '127.0.0.1',
    ARBOR_GRPC_PORT: '0',
    ARBOR_PARENT_PID: String(process.pid),
    ...hostCoverage(),
    ...overrides,
  };
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'local', 'grpc', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await announcedAddress(child, output, exited, /^Arbor gRPC server: (http:\/\/\S+) /, 'the gRPC server', timeoutMs);
  return {
    address: url.replace(/^http:\/\//, ''),
    url,
    output,
    process: child,
    database,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
