/**
 * The deepest nesting a request body may have. Schemas with `z.unknown()` fields (step `with`,
 * echo payloads) pass any shape through, and a body nested a few thousand levels deep later
 * overflows the stack in JSON.stringify or a recursive walk: refuse it at the edge instead.
 */
export const maxJsonDepth = 64;

/** True when a parsed JSON value nests objects or arrays deeper than `max`; iterative, so it cannot overflow itself. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
