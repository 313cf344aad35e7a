import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { collectionName, parseQuery } from '../../shared/vectors/requests.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { queryCollection } from '../../shared/vectors/fanout.js';
import { httpShardSearcher } from '../../shared/vectors/searchers/http.js';
import { inProcessSearcher } from '../../shared/vectors/searchers/in-process.js';

/**
 * The app's own address from configuration. The Host header is the caller's to choose: a fan-out
 * built from it would send the caller's key, and the query, wherever the caller pointed it.
 */
function selfUrl(configured: string | undefined): URL {
  if (!configured) throw new Error('ARBOR_SELF_URL is not set: the http fan-out needs the app\'s own address (the local host sets it; infra/ sets it in Azure)');
  return new URL(configured);
}

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
    const collection = await requireCollection(services, name);
    const query = parseQuery(collection.dimension, body, collection.metric);
    const searcher =
      services.settings.ARBOR_VECTOR_FANOUT === 'http'
        ? httpShardSearcher(selfUrl(services.settings.ARBOR_SELF_URL), collection, request.headers.get('x-functions-key') ?? request.query.get('code'))
        : inProcessSearcher(services, collection);
    return json(200, await queryCollection(collection, query, searcher, services.settings.ARBOR_VECTOR_SHARD_TIMEOUT_MS));
  }),
});
