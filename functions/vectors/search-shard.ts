import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, routeParam } from '../../shared/platform/http.js';
import { collectionForCall } from '../../shared/vectors/collection-cache.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { searchShard } from '../../shared/vectors/searchers/in-process.js';
import { encodeShardAnswer } from '../../shared/vectors/shard-search-answer.js';
import { protobufContentType, readShardSearchBody, shardNumber, shardQueryOf } from '../../shared/vectors/shard-search-request.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('search-shard', [
  {
    method: 'POST',
    path: 'collections/{name}/shards/{shard}/search',
    summary: "One shard's search, the target of a query's fan-out: protobuf in and out (proto/arbor/vectors/v1)",
    params: { name: collectionName, shard: shardNumber },
    body: { content: { [protobufContentType]: 'binary' }, required: true },
    responses: {
      200: { description: 'A ShardSearchResponse', content: { [protobufContentType]: 'binary' } },
      404: { description: 'No such collection' },
      409: { description: 'The collection was re-created since the query resolved it' },
    },
  },
]);

/** One shard's search, the target of a query's fan-out: protobuf in and out (proto/arbor/vectors/v1). */
app.http('search-shard', {
  methods: ['POST'],
  route: 'collections/{name}/shards/{shard}/search',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', collectionName);
    const shard = Number(routeParam(request, 'shard', shardNumber));
    const message = readShardSearchBody(request.headers.get('content-type'), new Uint8Array(await request.arrayBuffer()));
    const collection = await collectionForCall(services, name, message.collectionUid || undefined);
    const answer = await searchShard(services, collection, shard, shardQueryOf(message, collection, shard));
    return { status: 200, body: encodeShardAnswer(answer), headers: { 'content-type': protobufContentType } };
  }),
});
