import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emitApiTypes } from '../../client/generate/emit-api-types.js';
import { propertyKey, quoted, typescriptOf } from '../../client/generate/typescript-of-schema.js';
import { openApiDocument } from '../../shared/platform/api/openapi-document.js';

describe('a JSON Schema as a TypeScript type', () => {
  it('writes scalars, literals, enums, unions, arrays and tuples', () => {
    expect(typescriptOf({ type: 'string' })).toBe('string');
    expect(typescriptOf({ type: 'integer' })).toBe('number');
    expect(typescriptOf({ type: ['string', 'null'] })).toBe('string | null');
    expect(typescriptOf({ const: "it's" })).toBe("'it\\'s'");
    expect(typescriptOf({ enum: ['a', 2, true] })).toBe("'a' | 2 | true");
    expect(typescriptOf({ anyOf: [{ type: 'number' }, { type: 'string' }] })).toBe('number | string');
    expect(typescriptOf({ type: 'array', items: { type: 'boolean' } })).toBe('Array<boolean>');
    expect(typescriptOf({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] })).toBe('[string, number]');
    expect(typescriptOf({ type: 'string', contentEncoding: 'binary' })).toBe('Uint8Array');
    expect(typescriptOf({})).toBe('unknown');
    expect(typescriptOf({ anyOf: [{}, { type: 'string' }] })).toBe('unknown');
  });

  it('writes objects: required and optional fields, closed or open, records', () => {
    const closed = { type: 'object', properties: { a: { type: 'string' }, 'b-c': { type: 'number' } }, required: ['a'], additionalProperties: false };
    expect(typescriptOf(closed)).toBe("{\n  a: string;\n  'b-c'?: number;\n}");
    const open = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    expect(typescriptOf(open)).toBe('{\n  a: string;\n  [key: string]: unknown;\n}');
    expect(typescriptOf({ type: 'object', additionalProperties: { type: 'number' } })).toBe('{\n  [key: string]: number;\n}');
    expect(typescriptOf({ type: 'object', additionalProperties: false })).toBe('Record<string, never>');
  });

  it('follows references to the components, and refuses any other', () => {
    expect(typescriptOf({ $ref: '#/components/schemas/Error' })).toBe("components['schemas']['Error']");
    expect(() => typescriptOf({ $ref: 'https://example.test/schema.json' })).toThrow('cannot follow the reference');
    expect(() => typescriptOf({ type: 'date' })).toThrow('unknown JSON Schema type "date"');
  });

  it('quotes what is not an identifier', () => {
    expect(propertyKey('name')).toBe('name');
    expect(propertyKey('x-arbor-variant')).toBe("'x-arbor-variant'");
    expect(quoted('a\\b')).toBe("'a\\\\b'");
  });
});

describe("the client's types from a document", () => {
  const document = openApiDocument(
    [
      {
        function: 'put-thing',
        authLevel: 'function',
        operations: [
          {
            method: 'PUT',
            path: 'things/{name}',
            summary: 'put',
            params: { name: z.string() },
            query: { dry: z.enum(['yes']).optional() },
            body: { content: { 'application/json': z.strictObject({ size: z.number() }), 'application/octet-stream': 'binary' }, required: true },
            responses: { 201: { description: 'made', schema: z.strictObject({ id: z.string() }) }, 404: { description: 'none' } },
          },
        ],
      },
    ],
    '1.0.0',
  );
  const emitted = emitApiTypes(document);

  it("types each operation's input, with what is required, and its answers by status", () => {
    expect(emitted).toContain("  'put-thing': {\n    input: {\n      params: {\n        name: string;\n      };\n      query?: {\n        dry?: 'yes';\n      };\n      body: {\n        size: number;\n      } | Uint8Array;\n    };");
    expect(emitted).toContain('      201: {\n        id: string;\n      };');
    expect(emitted).toContain("      404: components['schemas']['Error'];");
  });

  it('routes each operation, naming the media type of a body sent as bytes', () => {
    expect(emitted).toContain("  'put-thing': { method: 'PUT', path: '/things/{name}', bytesType: 'application/octet-stream' },");
  });
});
