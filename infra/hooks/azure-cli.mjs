// @ts-check
// What both azd hooks share: running the Azure CLI the same way from sh (posix) and pwsh
// (windows), and retrying with backoff before failing loudly. The hooks are plain JavaScript so
// they run under either shell with the Node.js the project already needs, before any build.

import { spawn } from 'node:child_process';

/** An `az` command that failed; `stderr` is what the CLI said. */
export class AzureCliError extends Error {
  /** @param {string[]} args @param {number | null} code @param {string} stderr */
  constructor(args, code, stderr) {
    super(`az ${args.slice(0, 3).join(' ')} ... exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'AzureCliError';
    this.stderr = stderr;
  }
}

/**
 * The cmd.exe command line that runs `az` with these arguments. On Windows `az` is a batch file
 * (az.cmd), which Node.js only starts through a shell. Every argument is double-quoted, which
 * keeps `&`, `|`, `<`, `>` and `^` (the `&code=` of a webhook URL) literal; cmd.exe would still
 * expand `%...%` and has no escape for `"` inside quotes, so those are refused.
 * @param {readonly string[]} args
 */
export function windowsCommandLine(args) {
  const quoted = args.map((arg) => {
    if (/["%\r\n]/.test(arg)) throw new Error(`cannot pass ${JSON.stringify(arg)} to az through cmd.exe`);
    return `"${arg}"`;
  });
  return `"az ${quoted.join(' ')}"`;
}

/**
 * Runs `az <args>` and resolves with its standard output.
 * @param {readonly string[]} args
 * @returns {Promise<string>}
 */
export function az(args) {
  const child =
    process.platform === 'win32'
      ? spawn(process.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', windowsCommandLine(args)], { windowsVerbatimArguments: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('az', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new AzureCliError([...args], null, `${error.message} (is the Azure CLI installed and on PATH?)`)));
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new AzureCliError([...args], code, stderr))));
  });
}

/**
 * `az <args> --output json`, parsed.
 * @param {readonly string[]} args
 * @returns {Promise<unknown>}
 */
export async function azJson(args) {
  const out = await az([...args, '--output', 'json']);
  return out.trim() === '' ? null : JSON.parse(out);
}

/** First wait between attempts; doubled after each failure. ARBOR_HOOK_RETRY_BASE_MS shortens it (the tests do). */
const baseDelayMs = Number(process.env.ARBOR_HOOK_RETRY_BASE_MS ?? 10_000);

/**
 * Calls `attempt` until it resolves, waiting baseDelay, 2 x baseDelay, ... between tries; after
 * the last try the last error is thrown. With the default 10 s and 7 tries it waits up to
 * about 10 minutes, as long as a new role assignment can take to reach a data plane.
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} attempt
 * @param {number} [tries]
 * @returns {Promise<T>}
 */
export async function withRetries(what, attempt, tries = 7) {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries) throw error;
      const delay = baseDelayMs * 2 ** (i - 1);
      console.log(`${what}: attempt ${i} of ${tries} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${Math.round(delay / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * The value of an azd environment variable (azd passes the provisioning outputs to hooks).
 * @param {string} name
 */
export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this hook through azd (azd provision / azd deploy / azd hooks run), which passes the outputs of infra/main.bicep`);
  return value;
}

/**
 * Runs a hook's main function; any failure ends the process with code 1 and says why, so azd
 * stops (continueOnError: false) instead of reporting success.
 * @param {string} hook
 * @param {() => Promise<void>} main
 */
export function runHook(hook, main) {
  main().catch((error) => {
    console.error(`${hook} failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`Fix the cause, then run it again with: azd hooks run ${hook}`);
    // exitCode rather than exit(): the messages above still reach a piped stderr.
    process.exitCode = 1;
  });
}
