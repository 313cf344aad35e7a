export type DependencyName = 'redis' | 'blob' | 'cosmos';

/**
 * A service Arbor depends on did not answer at all; the caller may retry. Storage says only
 * which one; the platform's error model makes it a 503 naming it (platform/errors.ts).
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: DependencyName,
    cause: unknown,
  ) {
    super(`${dependency} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = new.target.name;
  }
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/**
 * True when the error says the service could not be reached at all (as opposed to the service
 * answering "no"), so the caller gets a 503 naming it rather than a 500.
 */
export function isUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && unreachableCodes.has(code)) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && /Connection is closed|Stream isn't writeable|connect ECONNREFUSED|Command aborted due to connection close/.test(message)) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs a call to a dependency, turning "could not reach it" into a DependencyUnavailableError. */
export async function callDependency<T>(dependency: DependencyName, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnreachable(error)) throw new DependencyUnavailableError(dependency, error);
    throw error;
  }
}
