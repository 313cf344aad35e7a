import type { OpenApiDocument } from '../../shared/platform/api/openapi-document.js';

export interface DocumentedOperation {
  id: string;
  function: string;
  method: string;
  /** The OpenAPI path, below /api. */
  path: string;
  operation: Record<string, any>;
}

/** Every operation of the document, with where it is served. */
export function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      id: operation.operationId as string,
      function: operation['x-arbor-function'] as string,
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );
}

/** The statuses the document says an operation answers. */
export function documentedStatuses(document: OpenApiDocument, operationId: string): number[] {
  const found = documentedOperations(document).find((operation) => operation.id === operationId);
  if (!found) throw new Error(`the document has no operation "${operationId}"`);
  return Object.keys(found.operation.responses as object).map(Number);
}
