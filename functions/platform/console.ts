import { app } from '@azure/functions';
import { consoleAssetRoot, consolePath, consoleSecurityHeaders, readConsoleAsset } from '../../shared/platform/console-assets.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { httpHandler, routeParam } from '../../shared/platform/http.js';

describeRoute(
  'console',
  [
    {
      method: 'GET',
      path: 'console/{path}',
      summary: "The web console's page and built assets (docs/console.md); /api/console/ itself is the page",
      params: { path: consolePath },
      responses: {
        200: { description: 'The file', content: { 'text/html': 'text', 'text/javascript': 'text', 'text/css': 'text' }, headers: { 'cache-control': 'no-cache for the page, a year for the hashed assets under assets/' } },
        404: { description: 'No such file in the console' },
      },
    },
  ],
  'anonymous',
);

/**
 * The web console, served by the Function App itself. Anonymous, as openapi.json is: its files
 * hold no data. The page asks for the function key and sends it with every API call it makes,
 * so what it shows is what the key may read (docs/security.md).
 */
app.http('console', {
  methods: ['GET'],
  route: 'console/{*path}',
  authLevel: 'anonymous',
  handler: httpHandler(async (request) => {
    // /api/console/ is the page; anything else names a file, checked before it is looked for.
    const path = request.params.path ? routeParam(request, 'path', consolePath) : 'index.html';
    const asset = await readConsoleAsset(consoleAssetRoot, path);
    if (!asset) throw new NotFoundError('console file', path);
    return { status: 200, body: asset.body, headers: { 'content-type': asset.contentType, 'cache-control': asset.cacheControl, ...consoleSecurityHeaders } };
  }),
});
