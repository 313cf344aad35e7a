import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenApiDocument } from '../../shared/platform/api/openapi-document.js';
import { documentedOperations } from './openapi-statuses.js';

/** The document's references to its components, inlined: each answer's schema stands alone. */
function inlined(schema: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((part) => inlined(part, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') return inlined(components[ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inlined(value, components)]));
}

/**
 * Checks an answer's JSON body against the schema the document gives for its operation and
 * status: the problems, or [] when it conforms (or the answer is not JSON).
 */
export function answerProblems(document: OpenApiDocument, operationId: string, status: number, contentType: string | null, body: unknown): string[] {
  if (!contentType?.includes('json')) return [];
  const operation = documentedOperations(document).find((op) => op.id === operationId)?.operation;
  const schema = operation?.responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return [`${operationId} documents no JSON answer for ${status}`];
  // Formats are annotations here: a date-time is a string the server wrote with toISOString.
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(inlined(schema, document.components.schemas) as object);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${operationId} ${status}: ${error.instancePath || '(body)'} ${error.message ?? ''}`);
}
