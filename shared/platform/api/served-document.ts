import { describedRoutes } from './route-contract.js';
import { openApiDocument, type OpenApiDocument } from './openapi-document.js';

/** The API's version in the document: the app's version (package.json), checked by a test. */
export const apiVersion = '0.1.0';

let built: OpenApiDocument | undefined;

/**
 * The document of the routes the app described. Built on the first call, once every trigger
 * file has loaded (contracts do not change after that).
 */
export function servedOpenApiDocument(): OpenApiDocument {
  built ??= openApiDocument(describedRoutes(), apiVersion);
  return built;
}
