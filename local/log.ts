import type { InvocationLogger } from './worker/invoke.js';
import type { RpcLogLevel } from './worker/rpc.js';

const order: Record<RpcLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

/** Host and function logs on stdout/stderr, one line each, at or above ARBOR_LOG_LEVEL. */
export function consoleLogger(minimum: RpcLogLevel): InvocationLogger {
  const threshold = order[minimum];
  return (functionName, invocationId, level, message) => {
    if ((order[level] ?? 2) < threshold) return;
    const line = `${new Date().toISOString()} [${functionName}${invocationId === '-' ? '' : ` ${invocationId.slice(0, 8)}`}] ${level}: ${message}`;
    if (order[level] >= order.warning) console.error(line);
    else console.log(line);
  };
}
