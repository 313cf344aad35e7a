import { propertyKey, typescriptOf, type JsonSchema } from './typescript-of-schema.js';

/** The parts of an OpenAPI 3.1 document the client's types are made from. */
export interface ApiDocument {
  info: { title: string; version: string };
  paths: Record<string, Record<string, JsonSchema>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface Content {
  [mediaType: string]: { schema?: JsonSchema };
}

const methods = ['get', 'put', 'post', 'patch', 'delete'] as const;

function fields(entries: Array<{ name: string; required: boolean; type: string }>, indent: string): string {
  if (!entries.length) return 'Record<string, never>';
  return `{\n${entries.map((entry) => `${indent}  ${propertyKey(entry.name)}${entry.required ? '' : '?'}: ${entry.type};`).join('\n')}\n${indent}}`;
}

/** A body's type over its media types: JSON as its schema says, text as a string, anything else as bytes. */
function contentType(content: Content | undefined, indent: string): string {
  if (!content) return 'undefined';
  const types = Object.entries(content).map(([media, { schema }]) => {
    if (/json/.test(media)) return schema ? typescriptOf(schema, indent) : 'unknown';
    if (media.startsWith('text/')) return 'string';
    return 'Uint8Array';
  });
  return [...new Set(types)].join(' | ');
}

function operationType(operation: JsonSchema, indent: string): string {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const inner = `${indent}  `;
  const group = (place: Parameter['in']) =>
    parameters
      .filter((parameter) => parameter.in === place)
      .map((parameter) => ({ name: parameter.name, required: parameter.required === true, type: typescriptOf(parameter.schema ?? {}, `${inner}  `) }));
  const input: Array<{ name: string; required: boolean; type: string }> = [];
  for (const [name, place] of [['params', 'path'], ['query', 'query'], ['headers', 'header']] as const) {
    const entries = group(place);
    if (entries.length) input.push({ name, required: entries.some((entry) => entry.required), type: fields(entries, `${inner}  `) });
  }
  const body = operation.requestBody as { required?: boolean; content: Content } | undefined;
  if (body) input.push({ name: 'body', required: body.required === true, type: contentType(body.content, `${inner}  `) });
  const responses = Object.entries((operation.responses ?? {}) as Record<string, { content?: Content }>).map(
    ([status, response]) => `${inner}  ${status}: ${contentType(response.content, `${inner}  `)};`,
  );
  return [
    '{',
    `${inner}input: ${fields(input, inner)};`,
    `${inner}responses: {\n${responses.join('\n')}\n${inner}};`,
    `${indent}}`,
  ].join('\n');
}

/**
 * The client's types and route table from the API's OpenAPI document: one entry per operation
 * id, with its input (path, query and header parameters, body) and its answer per status.
 */
export function emitApiTypes(document: ApiDocument): string {
  const schemas = Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => `    ${propertyKey(name)}: ${typescriptOf(schema, '    ')};`);
  const operations: string[] = [];
  const routes: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const id = operation.operationId as string;
      operations.push(`  ${propertyKey(id)}: ${operationType(operation, '  ')};`);
      const body = (operation.requestBody as { content: Content } | undefined)?.content ?? {};
      const bytesType = Object.keys(body).find((media) => !/json/.test(media) && !media.startsWith('text/'));
      routes.push(`  ${propertyKey(id)}: { method: '${method.toUpperCase()}', path: '${path}'${bytesType ? `, bytesType: '${bytesType}'` : ''} },`);
    }
  }
  return [
    `// Generated from ${document.info.title} ${document.info.version}'s GET /api/openapi.json by \`npm run client:types\`; do not edit.`,
    '',
    'export interface components {',
    `  schemas: {\n${schemas.join('\n')}\n  };`,
    '}',
    '',
    '/** Every operation by its id: what it takes (`input`) and what it answers, by status. */',
    'export interface operations {',
    ...operations,
    '}',
    '',
    '/** Where each operation is served, below /api; `bytesType` names the media type of a body given as bytes. */',
    'export const operationRoutes = {',
    ...routes,
    '} as const;',
    '',
  ].join('\n');
}
