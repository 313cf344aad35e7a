import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { grpcServerOwnSettingsSchema } from '../../../local/grpc/settings.js';
import { hostSettingsSchema } from '../../../local/settings.js';
import { settingsSchema } from '../../../shared/platform/settings.js';

/**
 * Every place that names settings agrees with the two schemas, their one home: README's tables,
 * docs/vectors.md's table and local.settings.json. The app settings in Bicep are checked against
 * the same schema in test/infra/infra.test.ts.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

type Shape = Record<string, z.ZodType>;
const homes: Record<string, { file: string; shape: Shape }> = {
  app: { file: 'shared/platform/settings.ts', shape: settingsSchema.shape },
  host: { file: 'local/settings.ts', shape: hostSettingsSchema.shape },
  grpc: { file: 'local/grpc/settings.ts', shape: grpcServerOwnSettingsSchema.shape },
};
const homeOf = (name: string): string | undefined => Object.keys(homes).find((home) => name in (homes[home] as { shape: Shape }).shape);

/** The value a setting takes when nothing sets it, as text; undefined when the schema has no default. */
function schemaDefault(name: string): string | undefined {
  const home = homeOf(name);
  const parsed = home === undefined ? undefined : (homes[home] as { shape: Shape }).shape[name]?.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}

/** Settings the Functions host itself reads, which `func start` needs in local.settings.json. */
const functionsHostSettings = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsFeatureFlags'];

interface Row {
  file: string;
  names: string[];
  /** One per name: `(unset)`, `(empty)`, a `literal`, or words saying where the value comes from. */
  defaults: string[];
}

/** Splits a cell on the commas that are not inside backticks. */
function splitOutsideBackticks(cell: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of cell) {
    if (ch === '`') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** The rows of every `| setting | default | meaning |` table in a markdown file, each with the heading-less text just above it. */
function settingTables(file: string): Array<{ intro: string; rows: Row[] }> {
  const tables: Array<{ intro: string; rows: Row[] }> = [];
  const lines = read(file).split('\n');
  lines.forEach((line, index) => {
    if (!/^\|\s*setting\s*\|\s*default\s*\|\s*meaning\s*\|$/.test(line.trim())) return;
    const rows: Row[] = [];
    for (let i = index + 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
      const [names = '', defaults = ''] = (lines[i] as string).split('|').slice(1, 3);
      rows.push({ file, names: [...names.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string), defaults: splitOutsideBackticks(defaults) });
    }
    tables.push({ intro: lines.slice(Math.max(0, index - 3), index).join(' '), rows });
  });
  return tables;
}

const readmeTables = settingTables('README.md');
const appTable = readmeTables.find((table) => /App settings/.test(table.intro));
const hostTable = readmeTables.find((table) => /Local host settings/.test(table.intro));
const grpcTable = readmeTables.find((table) => /gRPC server settings/.test(table.intro));
const documentedRows = [...readmeTables.flatMap((table) => table.rows), ...settingTables('docs/vectors.md').flatMap((table) => table.rows)];

describe('settings: one home each, and every catalogue agrees with it', () => {
  it('finds the tables (the reading itself works)', () => {
    expect(appTable?.rows.length).toBeGreaterThan(10);
    expect(hostTable?.rows.length).toBeGreaterThan(5);
    expect(documentedRows.find((row) => row.names.includes('ARBOR_VECTOR_FANOUT'))?.file).toBe('README.md');
    expect(documentedRows.filter((row) => row.file === 'docs/vectors.md').length).toBeGreaterThan(0);
  });

  it('no setting has two homes', () => {
    const names = Object.values(homes).flatMap((home) => Object.keys(home.shape));
    expect(names.filter((name, i) => names.indexOf(name) !== i), 'settings in more than one of shared/platform/settings.ts, local/settings.ts and local/grpc/settings.ts').toEqual([]);
  });

  it("README lists every setting of each schema, in its schema's table", () => {
    for (const [home, table] of [['app', appTable], ['host', hostTable], ['grpc', grpcTable]] as const) {
      const listed = new Set(table?.rows.flatMap((row) => row.names));
      const { file, shape } = homes[home] as { file: string; shape: Shape };
      for (const name of Object.keys(shape)) expect(listed.has(name), `${name} (${file}) is missing from README's ${home} settings table`).toBe(true);
    }
  });

  it('every setting a table names is known to the schema of its table, with the default the schema gives', () => {
    for (const row of documentedRows) {
      expect(row.defaults.length, `${row.file}: the row for ${row.names.join(', ')} should give one default per setting`).toBe(row.names.length);
      row.names.forEach((name, i) => {
        const home = homeOf(name);
        expect(home, `${row.file} documents ${name}, which no settings schema knows`).toBeDefined();
        if (row.file === 'README.md') {
          const table = [appTable, hostTable, grpcTable].find((t) => t?.rows.includes(row));
          expect(table === appTable ? 'app' : table === hostTable ? 'host' : 'grpc', `README lists ${name} in the wrong table (its home is ${homes[home as string]?.file})`).toBe(home);
        }
        const stated = row.defaults[i] as string;
        const literal = /^`([^`]*)`$/.exec(stated)?.[1];
        const where = `${row.file} says ${name} defaults to ${stated}; ${homes[home as string]?.file}`;
        if (literal !== undefined) expect(schemaDefault(name), `${where} gives ${schemaDefault(name) ?? 'none'}`).toBe(literal);
        else if (stated === '(empty)') expect(schemaDefault(name), `${where} gives ${schemaDefault(name) ?? 'none'}`).toBe('');
        // `(unset)`, or words naming where the value comes from: the schema must not have a default of its own.
        else expect(schemaDefault(name), `${where} gives a default`).toBeUndefined();
      });
    }
  });

  it('local.settings.json sets only known settings, each valid, none restating its default', () => {
    const file = JSON.parse(read('local.settings.json')) as { Values: Record<string, string>; Host?: { LocalHttpPort?: unknown } };
    for (const [name, value] of Object.entries(file.Values)) {
      if (functionsHostSettings.includes(name)) continue;
      const home = homeOf(name);
      expect(home, `local.settings.json sets ${name}, which no settings schema knows`).toBeDefined();
      const schema = (homes[home as string] as { shape: Shape }).shape[name] as z.ZodType;
      expect(schema.safeParse(value).success, `local.settings.json: ${name}="${value}" is malformed`).toBe(true);
      expect(value, `local.settings.json restates the default of ${name}: its one home is ${homes[home as string]?.file}`).not.toBe(schemaDefault(name));
    }
    // Host.LocalHttpPort is where func start takes the port from; local/settings.ts reads it as PORT.
    const port = file.Host?.LocalHttpPort;
    if (port !== undefined) {
      expect(hostSettingsSchema.shape.PORT.safeParse(String(port)).success, `local.settings.json: Host.LocalHttpPort ${String(port)} is malformed`).toBe(true);
      expect(String(port), 'local.settings.json Host.LocalHttpPort restates the default of PORT (local/settings.ts)').not.toBe(schemaDefault('PORT'));
    }
  });
});
