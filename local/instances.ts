import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What an instance prints once it serves (not main's "Arbor is up", which names the front door). */
export const instanceUpLine = /^Arbor instance (\d+) is up: (http:\/\/\S+)$/;

export interface Instance {
  index: number;
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code once the process has gone. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface InstanceOptions {
  index: number;
  /** The instance's whole environment (the parent's settings, the emulators' addresses, its role). */
  env: Record<string, string>;
  startTimeoutMs?: number;
  /** Called once if the instance exits after it came up. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const mainScript = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Starts one host process (`node dist/local/main.js`, as one Flex Consumption instance) on a free
 * loopback port. Its lines are printed prefixed with `[index]`. It runs in a process group of its
 * own, so a terminal's Ctrl-C reaches only the front door, which stops it in order; it stops by
 * itself when the front door's process is gone (ARBOR_PARENT_PID).
 */
export function startInstance(options: InstanceOptions): Promise<Instance> {
  const { index } = options;
  const child = spawn(process.execPath, [...process.execArgv, mainScript], {
    env: { ...options.env, ARBOR_INSTANCES: '1', ARBOR_INSTANCE_INDEX: String(index), ARBOR_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const prefix = `[${index}] `;
  let up = false;
  return new Promise<Instance>((resolve, reject) => {
    const recent: string[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance ${index} did not start in ${options.startTimeoutMs ?? 60_000} ms:\n${recent.join('\n')}`));
    }, options.startTimeoutMs ?? 60_000);
    const onLine = (line: string, write: (text: string) => void) => {
      write(`${prefix}${line}\n`);
      if (up) return;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      const announced = instanceUpLine.exec(line);
      if (!announced) return;
      up = true;
      clearTimeout(timer);
      resolve({
        index,
        url: announced[2] as string,
        process: child,
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => onLine(line, (text) => process.stdout.write(text)));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => onLine(line, (text) => process.stderr.write(text)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!up) reject(new Error(`instance ${index} exited with ${code ?? signal} while starting:\n${recent.join('\n')}`));
      else options.onExit?.(code, signal);
    });
  });
}
