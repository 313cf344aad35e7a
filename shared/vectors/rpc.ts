import type { JsonObject } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { VectorService } from '../platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { given, structOf, unaryRpc, validField } from '../platform/rpc.js';
import { getServices } from '../platform/services.js';
import { collectionForCall, queryableCollection, requireCollection } from './collection-cache.js';
import { queryCollection } from './fanout.js';
import { upsertItems } from './item-writes.js';
import { querySearcher } from './query-searcher.js';
import { collectionName, parseQuery, parseUpsert } from './requests.js';
import { shardSearchResponseOf } from './shard-search-answer.js';
import { shardQueryOf } from './shard-search-request.js';
import { searchShard } from './searchers/in-process.js';

/**
 * VectorService (proto/arbor/vectors/v1): upsert, query and one shard's search over the core the
 * HTTP functions use, with the same checks (a batch is validated whole before anything is
 * written). A query's fan-out sends the caller's function key on, as the HTTP query does.
 */
export const vectorServiceImpl: ServiceImpl<typeof VectorService> = {
  upsert: unaryRpc(async (request) => {
    const services = getServices();
    const collection = await requireCollection(services, validField('collection', collectionName, request.collection));
    const body = { items: request.items.map((item) => ({ id: item.id, vector: item.vector, ...(item.metadata ? { metadata: item.metadata } : {}) })) };
    const result = await upsertItems(services, collection, parseUpsert(collection.dimension, body, collection.metric));
    return { upserted: result.upserted, shards: Object.fromEntries(Object.entries(result.shards).map(([shard, count]) => [Number(shard), count])) };
  }),

  query: unaryRpc(async (request, context) => {
    const services = getServices();
    const collection = await queryableCollection(services, validField('collection', collectionName, request.collection));
    const query = parseQuery(
      collection.dimension,
      { vector: request.vector, ...(given(request.k) ? { k: request.k } : {}), ...(given(request.ef) ? { ef: request.ef } : {}), ...(request.filter ? { filter: request.filter } : {}) },
      collection.metric,
    );
    const searcher = querySearcher(services, collection, context.requestHeader.get('x-functions-key'));
    const answer = await queryCollection(collection, query, searcher, services.settings.ARBOR_VECTOR_SHARD_TIMEOUT_MS);
    return {
      results: answer.results.map((result) => ({ id: result.id, score: result.score, ...(result.metadata ? { metadata: structOf(result.metadata) as JsonObject } : {}) })),
      partial: answer.partial,
      shardsAsked: answer.shards.asked,
      shardsAnswered: answer.shards.answered,
      failed: answer.shards.failed ?? [],
    };
  }),

  shardSearch: unaryRpc(async (request) => {
    const services = getServices();
    const name = validField('collection', collectionName, request.collection);
    const collection = await collectionForCall(services, name, request.collectionUid || undefined);
    const answer = await searchShard(services, collection, request.shard, shardQueryOf(request, collection, request.shard));
    return shardSearchResponseOf(answer);
  }),
};
