/**
 * Azure Functions route templates (ASP.NET style): literal segments, `{name}`, optional
 * `{name?}` at the end, `{*rest}` catch-all, and the common constraints `:int`, `:alpha`,
 * `:guid`, `:bool`, `:long`, `:double`. Literals match case-insensitively, as in Azure.
 */
type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; constraint?: RegExp }
  | { kind: 'catchAll'; name: string };

export interface RouteTemplate {
  template: string;
  segments: Segment[];
  /** Higher matches first: literals beat parameters, parameters beat catch-alls. */
  precedence: number;
}

const constraints: Record<string, RegExp> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  double: /^-?\d+(\.\d+)?$/,
  bool: /^(true|false)$/i,
  alpha: /^[a-z]+$/i,
  guid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
};

export function parseRouteTemplate(template: string): RouteTemplate {
  const parts = template.replace(/^\/+|\/+$/g, '').split('/').filter((part) => part !== '');
  const segments: Segment[] = parts.map((part, index) => {
    const param = /^\{(\*)?([A-Za-z_][\w]*)(?::([a-z]+))?(\?)?\}$/.exec(part);
    if (!param) {
      if (/[{}]/.test(part)) throw new Error(`route "${template}": unsupported segment "${part}"`);
      return { kind: 'literal', text: part.toLowerCase() };
    }
    const [, star, name, constraintName, optional] = param;
    if (star) {
      if (index !== parts.length - 1) throw new Error(`route "${template}": a catch-all must be the last segment`);
      return { kind: 'catchAll', name: name as string };
    }
    let constraint: RegExp | undefined;
    if (constraintName) {
      constraint = constraints[constraintName];
      if (!constraint) throw new Error(`route "${template}": unknown constraint "${constraintName}"`);
    }
    return { kind: 'param', name: name as string, optional: Boolean(optional), constraint };
  });
  segments.forEach((segment, index) => {
    if (segment.kind === 'param' && segment.optional && segments.slice(index + 1).some((s) => s.kind === 'literal')) {
      throw new Error(`route "${template}": an optional parameter may only be followed by optional parameters`);
    }
  });
  const precedence = segments.reduce(
    (score, segment) => score * 4 + (segment.kind === 'literal' ? 3 : segment.kind === 'param' ? (segment.constraint ? 2 : 1) : 0),
    segments.length,
  );
  return { template, segments, precedence };
}

/** Route parameters when the path matches, undefined otherwise. Path is without the /api prefix. */
export function matchRoute(route: RouteTemplate, path: string): Record<string, string> | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((part) => part !== '');
  const params: Record<string, string> = {};
  let index = 0;
  for (const segment of route.segments) {
    if (segment.kind === 'catchAll') {
      const rest = parts.slice(index).map(decodeURIComponent).join('/');
      if (rest) params[segment.name] = rest;
      return params;
    }
    const part = parts[index];
    if (part === undefined) {
      if (segment.kind === 'param' && segment.optional) continue;
      return undefined;
    }
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (segment.kind === 'literal') {
      if (value.toLowerCase() !== segment.text) return undefined;
    } else {
      if (segment.constraint && !segment.constraint.test(value)) return undefined;
      params[segment.name] = value;
    }
    index++;
  }
  return index === parts.length ? params : undefined;
}
