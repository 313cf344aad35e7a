import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** Compiled next to this file in dist/; absent when the TypeScript sources run directly (tests' setup). */
const exitWithParent = join(dirname(fileURLToPath(import.meta.url)), 'exit-with-parent.js');

/**
 * Children leave the terminal's process group, so Ctrl-C stops the host first and the host stops
 * them after it. A Node child detaches only when it can watch its parent and exit with it.
 */
function launch(command: string, args: readonly string[]): { args: readonly string[]; detached: boolean } {
  if (command !== process.execPath) return { args, detached: true };
  if (!existsSync(exitWithParent)) return { args, detached: false };
  return { args: ['--import', pathToFileURL(exitWithParent).href, ...args], detached: true };
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
  const how = launch(command, args);
  const child = spawn(command, how.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: how.detached });
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
        const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
