import { writeFile } from 'node:fs/promises';
import { emitApiTypes } from '../client/generate/emit-api-types.js';
import '../functions/index.js';
import { servedOpenApiDocument } from '../shared/platform/api/served-document.js';

/**
 * `npm run client:types`: writes client/api-types.ts from the document GET /api/openapi.json
 * serves, built here from the same route contracts (loading the app registers nothing outside
 * a host). A test fails when the file differs from what this writes.
 */
const target = new URL('../../client/api-types.ts', import.meta.url);
await writeFile(target, emitApiTypes(servedOpenApiDocument()));
console.log(`wrote ${target.pathname}`);
process.exit(0);
