/** A JSON Schema (draft 2020-12, as in an OpenAPI 3.1 document). */
export type JsonSchema = Record<string, unknown>;

const identifier = /^[A-Za-z_$][\w$]*$/;

/** A property name as TypeScript writes it: bare when it can be, quoted when not. */
export function propertyKey(name: string): string {
  return identifier.test(name) ? name : quoted(name);
}

/** A string literal in single quotes, as the project writes them. */
export function quoted(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

const componentRef = /^#\/components\/schemas\/([\w.-]+)$/;

function literal(value: unknown): string {
  return typeof value === 'string' ? quoted(value) : JSON.stringify(value);
}

function objectType(schema: JsonSchema, indent: string): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const inner = `${indent}  `;
  const lines = Object.entries(properties).map(
    ([name, property]) => `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${typescriptOf(property, inner)};`,
  );
  const extra = schema.additionalProperties;
  // JSON Schema allows other properties unless it says `additionalProperties: false`.
  if (extra !== false) {
    const value = typeof extra === 'object' && extra !== null ? typescriptOf(extra as JsonSchema, inner) : 'unknown';
    const values = lines.length && value !== 'unknown' ? 'unknown' : value;
    lines.push(`${inner}[key: string]: ${values};`);
  }
  return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : 'Record<string, never>';
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 1 ? (unique[0] as string) : unique.map((type) => (type.includes('=>') ? `(${type})` : type)).join(' | ');
}

/**
 * The TypeScript type of the values a schema accepts, as far as the types can say: patterns,
 * ranges and lengths are the server's to check.
 */
export function typescriptOf(schema: JsonSchema | boolean, indent = ''): string {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema.$ref === 'string') {
    const name = componentRef.exec(schema.$ref)?.[1];
    if (!name) throw new Error(`cannot follow the reference ${schema.$ref}`);
    return `components['schemas'][${quoted(name)}]`;
  }
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return union((schema[key] as JsonSchema[]).map((part) => typescriptOf(part, indent)));
  }
  if (Array.isArray(schema.allOf)) return (schema.allOf as JsonSchema[]).map((part) => typescriptOf(part, indent)).join(' & ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (!types.length) return schema.properties ? objectType(schema, indent) : 'unknown';
  return union(types.map((type) => typeOfKind(type, schema, indent)));
}

function typeOfKind(type: string, schema: JsonSchema, indent: string): string {
  switch (type) {
    case 'string':
      return schema.contentEncoding === 'binary' ? 'Uint8Array' : 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      if (Array.isArray(schema.prefixItems)) return `[${(schema.prefixItems as JsonSchema[]).map((item) => typescriptOf(item, indent)).join(', ')}]`;
      return `Array<${schema.items ? typescriptOf(schema.items as JsonSchema, indent) : 'unknown'}>`;
    case 'object':
      return objectType(schema, indent);
    default:
      throw new Error(`unknown JSON Schema type "${type}"`);
  }
}
