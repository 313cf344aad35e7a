import { join } from 'node:path';
import { z } from 'zod';
import { blobName, dataContainerName } from '../../storage/blob-names.js';
import { ValidationError } from '../../platform/errors.js';
import { quoteIdentifier, quoteLiteral, withDuckDb } from '../../platform/duckdb.js';
import { downloadBlob, uploadParquetFile, type BlobRef } from '../../storage/blob-files.js';
import { defineStepType, stagingBlob } from '../step-type.js';

const tableName = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const maxInputs = 64;

/**
 * The SQL is the pipeline author's ELT transform, so it is the one place Arbor runs SQL it did
 * not write. It must be a single query (SELECT, WITH ... SELECT, FROM-first or VALUES): Arbor
 * wraps it in `COPY (...) TO` itself, and anything else (COPY, ATTACH, INSTALL, LOAD, PRAGMA,
 * SET, CREATE, a second statement) could write where Arbor does not look, reach files or the
 * network, or change the engine's settings. This lexical check refuses those at registration;
 * at run time DuckDB's own parser decides again, and the engine can only touch its scratch folder.
 */
export function queryProblem(sql: string): string | undefined {
  const scanned = scan(sql);
  if (typeof scanned === 'string') return scanned;
  const tokens = [...scanned.tokens];
  while (tokens.at(-1) === ';') tokens.pop();
  const first = tokens[0];
  if (first === undefined) return 'must be a single SELECT (or WITH ... SELECT) query; it is empty';
  if (!queryStarts.has(first)) return `must be a single SELECT (or WITH ... SELECT) query, not ${/^\w+$/.test(first) ? first : 'this'}`;
  if (tokens.includes(';')) return 'must be a single statement: no ";" between statements';
  if (first === 'WITH') {
    const verb = verbAfterCtes(tokens);
    if (verb !== undefined && !queryStarts.has(verb)) return `must be a single SELECT (or WITH ... SELECT) query, not WITH ... ${verb}`;
  }
  return undefined;
}

/** The query without its trailing ";" and comments, ready to go inside `COPY (...)`. */
export function queryText(sql: string): string {
  const scanned = scan(sql);
  return typeof scanned === 'string' ? sql : sql.slice(0, scanned.end);
}

/** Words (upper-cased) that may open a query; '()' is a parenthesised one. */
const queryStarts = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', '()']);

/**
 * The statement's tokens outside parentheses (words upper-cased, a parenthesised group as
 * '()', strings as "'", and ',' and ';'), and where its last text other than ";" ends. Strings,
 * quoted identifiers and comments are skipped whole, so a ";" or a keyword inside them counts
 * for nothing. Returns a problem for text that never ends.
 */
function scan(sql: string): { tokens: string[]; end: number } | string {
  const tokens: string[] = [];
  let depth = 0;
  let i = 0;
  let end = 0;
  const skipQuoted = (quote: string, backslashEscapes: boolean): boolean => {
    for (i++; i < sql.length; i++) {
      if (backslashEscapes && sql[i] === '\\') i++;
      else if (sql[i] === quote) {
        if (sql[i + 1] === quote) i++;
        else return true;
      }
    }
    return false;
  };
  while (i < sql.length) {
    const char = sql[i]!;
    const pair = sql.slice(i, i + 2);
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (pair === '--') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
      continue;
    }
    if (pair === '/*') {
      // DuckDB's lexer (PostgreSQL's) nests block comments.
      let level = 0;
      do {
        if (sql.startsWith('/*', i)) (level++, (i += 2));
        else if (sql.startsWith('*/', i)) (level--, (i += 2));
        else i++;
      } while (level > 0 && i < sql.length);
      if (level > 0) return 'has a /* comment that never ends';
      continue;
    }
    const dollarTag = char === '$' ? /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0] : undefined;
    let token: string | undefined;
    if (char === "'" || char === '"') {
      if (!skipQuoted(char, false)) return `has a ${char === "'" ? 'string' : 'quoted identifier'} that never ends`;
      i++;
      token = char;
    } else if (dollarTag) {
      const close = sql.indexOf(dollarTag, i + dollarTag.length);
      if (close < 0) return 'has a $-quoted string that never ends';
      i = close + dollarTag.length;
      token = "'";
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      i += word.length;
      token = word.toUpperCase();
      if (token === 'E' && sql[i] === "'") {
        // E'...' strings take backslash escapes.
        if (!skipQuoted("'", true)) return 'has a string that never ends';
        i++;
        token = "'";
      }
    } else {
      i++;
      if (char === '(') depth++;
      else if (char === ')') {
        depth--;
        if (depth < 0) return 'has a ")" without its "("';
        if (depth === 0) token = '()';
      } else if (char === ';' || char === ',') token = char;
    }
    if (depth === 0 && token !== undefined) tokens.push(token);
    if (char !== ';' || depth > 0) end = i;
  }
  return depth > 0 ? 'has a "(" without its ")"' : { tokens, end };
}

/** The word that follows `WITH a AS (...), b AS (...)`: SELECT for a query, INSERT etc. for DML. */
function verbAfterCtes(tokens: string[]): string | undefined {
  let i = 1;
  for (;;) {
    // A CTE's body is the first group after AS (or [NOT] MATERIALIZED).
    while (i < tokens.length && !(tokens[i] === '()' && (tokens[i - 1] === 'AS' || tokens[i - 1] === 'MATERIALIZED'))) i++;
    i++;
    if (tokens[i] !== ',') return tokens[i];
    i++;
  }
}

const blobRefInput = z.strictObject({ container: dataContainerName, blob: blobName });

/** An ELT transform: SQL over staged parquet inputs, the result written as parquet. */
export const duckdbSqlStep = defineStepType({
  name: 'duckdb.sql',
  description:
    'Runs one SELECT over staged parquet inputs (each a view named by its key in `inputs`) and writes the result as a parquet blob.',
  input: z.strictObject({
    inputs: z.record(z.string(), blobRefInput).superRefine((inputs, ctx) => {
      const names = Object.keys(inputs);
      if (!names.length) ctx.addIssue({ code: 'custom', message: 'needs at least one input' });
      if (names.length > maxInputs) ctx.addIssue({ code: 'custom', message: `takes at most ${maxInputs} inputs` });
      // Checked here rather than as the record's key schema, whose error says only "Invalid key".
      for (const name of names) {
        if (!tableName.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be an identifier: a letter or "_", then up to 62 letters, digits or "_"' });
      }
      // DuckDB folds unquoted names, so `Sales` and `sales` would be one view.
      if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) {
        ctx.addIssue({ code: 'custom', message: 'has names that differ only in case' });
      }
    }),
    sql: z
      .string()
      .max(100_000)
      .superRefine((sql, ctx) => {
        const problem = queryProblem(sql);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    output: z.strictObject({ container: dataContainerName.optional(), blob: blobName.optional() }).optional(),
  }),
  run: async (input, context) => {
    // run() may be called without the schema (tests, other callers): check before any I/O.
    const lexical = queryProblem(input.sql);
    if (lexical) throw new ValidationError([{ field: 'sql', problem: lexical }]);
    const staged = stagingBlob(context.runId, context.stepId, 'result.parquet');
    const target: BlobRef = { container: input.output?.container ?? staged.container, name: input.output?.blob ?? staged.name };
    const query = queryText(input.sql);
    return withDuckDb(
      async (db) => {
        for (const [index, [table, ref]] of Object.entries(input.inputs).entries()) {
          const path = join(db.scratch, `input-${index}.parquet`);
          await downloadBlob(context.services, { container: ref.container, name: ref.blob }, path);
          context.lineage.read({ container: ref.container, name: ref.blob });
          await db.run(`CREATE VIEW ${quoteIdentifier(table)} AS SELECT * FROM read_parquet(${quoteLiteral(path)})`);
        }
        const parsed = await db.selectProblem(query);
        if (parsed) throw new ValidationError([{ field: 'sql', problem: parsed }]);
        const output = join(db.scratch, 'result.parquet');
        const rows = await db.copyToParquet(query, output);
        const bytes = await uploadParquetFile(context.services, output, target);
        context.lineage.wrote(target);
        return { container: target.container, blob: target.name, rows, bytes };
      },
      { signal: context.signal },
    );
  },
});
