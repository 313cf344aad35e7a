import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ChildService {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (the caller binds it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a command and waits until its output says it is ready. The child's output is kept (the
 * last lines) so that a failure to start says why.
 */
export async function startChildService(
  label: string,
  command: string,
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<ChildService> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${label} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail.push(text);
      if (tail.length > 20) tail.shift();
      if (ready.test(tail.join(''))) {
        clearTimeout(timer);
        resolve();
      }
    };
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${tail.join('').trim()}`));
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${label} exited with code ${code} while starting`)));
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.removeAllListeners('exit');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
