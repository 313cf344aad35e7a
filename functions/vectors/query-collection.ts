import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { collectionName, parseQuery, queryRequest } from '../../shared/vectors/requests.js';
import { queryableCollection } from '../../shared/vectors/collection-cache.js';
import { queryCollection } from '../../shared/vectors/fanout.js';
import { querySearcher } from '../../shared/vectors/query-searcher.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('query-collection', [
  {
    method: 'POST',
    path: 'collections/{name}/query',
    summary: 'The top k items nearest a vector, over every shard',
    params: { name: collectionName },
    // The vector's length is checked against the collection's dimension, which the schema cannot know.
    body: queryRequest(1),
    responses: {
      200: {
        description: 'The top k, best first, and how many shards answered',
        schema: z.object({
          results: z.array(z.object({ id: z.string(), score: z.number(), metadata: z.record(z.string(), z.unknown()).nullish() })),
          partial: z.boolean(),
          shards: z.object({ asked: z.number(), answered: z.number() }),
        }),
      },
      404: { description: 'No such collection' },
    },
  },
]);

/**
 * Queries a collection: fans out to the shard-search function of every shard in parallel (as
 * in Azure, where shards may be on other instances), merges the global top k.
 */
app.http('query-collection', {
  methods: ['POST'],
  route: 'collections/{name}/query',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', collectionName);
    const body = await readJsonBody(request, z.unknown());
    const collection = await queryableCollection(services, name);
    const query = parseQuery(collection.dimension, body, collection.metric);
    const searcher = querySearcher(services, collection, request.headers.get('x-functions-key') ?? request.query.get('code'));
    return json(200, await queryCollection(collection, query, searcher, services.settings.ARBOR_VECTOR_SHARD_TIMEOUT_MS));
  }),
});
