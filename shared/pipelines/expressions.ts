/**
 * The `${{ ... }}` reference language of a step's `with`: `${{ params.NAME }}` and
 * `${{ steps.ID.outputs.PATH }}`, found in any string nested anywhere in the value. This module
 * both finds references (for validation, before anything runs) and resolves them (for the
 * orchestrator, once upstream outputs exist).
 */
import { PARAM_NAME_PATTERN, STEP_ID_PATTERN } from './spec.js';

export type Reference =
  | { readonly kind: 'param'; readonly name: string }
  /** `path` is empty for `${{ steps.ID.outputs }}`, which means the whole output. */
  | { readonly kind: 'output'; readonly stepId: string; readonly path: readonly string[] };

/** Where in the scanned value a string sits: object keys and array indexes from its root. */
export type ValuePath = readonly (string | number)[];

export type ExpressionFinding =
  | { readonly ok: true; readonly at: ValuePath; readonly text: string; readonly reference: Reference }
  | { readonly ok: false; readonly at: ValuePath; readonly text: string; readonly problem: string };

export interface ResolveContext {
  /** Parameter values of the run, defaults already applied. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Outputs of the steps that have completed, by step id. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** A reference that cannot be resolved at run time; the message names the expression. */
export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    problem: string,
  ) {
    super(`cannot resolve ${expression}: ${problem}`);
    this.name = 'ExpressionError';
  }
}

/** Beyond this depth `with` is surely a mistake, and walking it could exhaust the stack. */
export const MAX_WITH_DEPTH = 64;

const OPEN = '${{';
const CLOSE = '}}';
const PATH_SEGMENT = /^[A-Za-z0-9_-]+$/;
const EXPECTED = 'expected ${{ params.NAME }} or ${{ steps.ID.outputs.PATH }}';

export function paramRef(name: string): string {
  return `${OPEN} params.${name} ${CLOSE}`;
}

export function outputRef(stepId: string, path = ''): string {
  return `${OPEN} steps.${stepId}.outputs${path === '' ? '' : `.${path}`} ${CLOSE}`;
}

/** Every expression in `value`, and every malformed one, in document order. */
export function findExpressions(value: unknown): ExpressionFinding[] {
  const found: ExpressionFinding[] = [];
  walk(value, [], found);
  return found;
}

function walk(value: unknown, at: (string | number)[], found: ExpressionFinding[]): void {
  if (typeof value === 'string') {
    for (const token of tokenize(value)) {
      if (token.kind === 'text') continue;
      found.push(
        token.kind === 'expression'
          ? { ok: true, at: [...at], text: token.text, reference: token.reference }
          : { ok: false, at: [...at], text: token.text, problem: token.problem },
      );
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (at.length >= MAX_WITH_DEPTH) {
    found.push({ ok: false, at: [...at], text: '', problem: `is nested deeper than ${MAX_WITH_DEPTH} levels` });
    return;
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    at.push(key);
    walk(item, at, found);
    at.pop();
  }
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'expression'; text: string; reference: Reference }
  | { kind: 'malformed'; text: string; problem: string };

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let from = 0;
  for (;;) {
    const start = s.indexOf(OPEN, from);
    if (start === -1) break;
    if (start > from) tokens.push({ kind: 'text', text: s.slice(from, start) });
    const end = s.indexOf(CLOSE, start + OPEN.length);
    if (end === -1) {
      const text = s.slice(start);
      tokens.push({ kind: 'malformed', text, problem: `"${abbreviate(text)}" has no closing "}}"` });
      return tokens;
    }
    const text = s.slice(start, end + CLOSE.length);
    const parsed = parseReference(s.slice(start + OPEN.length, end).trim());
    tokens.push(
      typeof parsed === 'string'
        ? { kind: 'malformed', text, problem: `"${abbreviate(text)}" is not a valid expression: ${parsed}` }
        : { kind: 'expression', text, reference: parsed },
    );
    from = end + CLOSE.length;
  }
  if (from < s.length) tokens.push({ kind: 'text', text: s.slice(from) });
  return tokens;
}

/** The reference, or why `body` is not one. */
function parseReference(body: string): Reference | string {
  const parts = body.split('.');
  if (parts[0] === 'params') {
    const name = parts[1];
    if (parts.length !== 2 || name === undefined || !PARAM_NAME_PATTERN.test(name)) {
      return 'a param reference is ${{ params.NAME }}';
    }
    return { kind: 'param', name };
  }
  if (parts[0] === 'steps') {
    const stepId = parts[1];
    if (stepId === undefined || !STEP_ID_PATTERN.test(stepId) || parts[2] !== 'outputs') {
      return 'an output reference is ${{ steps.ID.outputs.PATH }}';
    }
    const path = parts.slice(3);
    if (!path.every((segment) => PATH_SEGMENT.test(segment))) {
      return 'an output path is names or indexes joined by "."';
    }
    return { kind: 'output', stepId, path };
  }
  return EXPECTED;
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A copy of a step's `with` with every expression replaced. A string that is exactly one
 * expression becomes the referenced value itself (a number stays a number, an object an object);
 * an expression inside a longer string is interpolated as text.
 */
export function resolveStepInputs(
  withValue: Readonly<Record<string, unknown>>,
  context: ResolveContext,
): Record<string, unknown> {
  return resolveObject(withValue, context);
}

/** `resolveStepInputs` for any JSON value. */
export function resolveValue(value: unknown, context: ResolveContext): unknown {
  if (typeof value === 'string') return resolveString(value, context);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context));
  if (isPlainObject(value)) return resolveObject(value, context);
  return value;
}

function resolveObject(value: Readonly<Record<string, unknown>>, context: ResolveContext): Record<string, unknown> {
  // fromEntries defines own properties, so even a "__proto__" key is copied as data.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveValue(item, context)]));
}

function resolveString(s: string, context: ResolveContext): unknown {
  if (!s.includes(OPEN)) return s;
  const tokens = tokenize(s);
  const [only] = tokens;
  if (tokens.length === 1 && only !== undefined && only.kind === 'expression') {
    return lookup(only.text, only.reference, context);
  }
  return tokens
    .map((token) => {
      if (token.kind === 'text') return token.text;
      if (token.kind === 'malformed') throw new ExpressionError(token.text, token.problem);
      return asText(lookup(token.text, token.reference, context));
    })
    .join('');
}

function lookup(expression: string, reference: Reference, context: ResolveContext): unknown {
  if (reference.kind === 'param') {
    if (!Object.hasOwn(context.params, reference.name) || context.params[reference.name] === undefined) {
      throw new ExpressionError(expression, `param "${reference.name}" has no value (pass it or give it a default)`);
    }
    return context.params[reference.name];
  }
  const { stepId, path } = reference;
  if (!Object.hasOwn(context.outputs, stepId) || context.outputs[stepId] === undefined) {
    throw new ExpressionError(expression, `step "${stepId}" has no outputs (it has not completed, or returned nothing)`);
  }
  let current: unknown = context.outputs[stepId];
  for (const [i, segment] of path.entries()) {
    const next = child(current, segment);
    if (next === undefined) {
      const missing = path.slice(0, i + 1).join('.');
      throw new ExpressionError(expression, `step "${stepId}" has no output "${missing}"`);
    }
    current = next;
  }
  return current;
}

function child(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) return /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, segment)) {
    return (value as Record<string, unknown>)[segment];
  }
  return undefined;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
