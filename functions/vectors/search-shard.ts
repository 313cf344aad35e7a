import { app } from '@azure/functions';
import { z } from 'zod';
import { BadRequestError, ConflictError, ValidationError, type ErrorDetail } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, routeParam } from '../../shared/platform/http.js';
import { zodDetails } from '../../shared/platform/validation-errors.js';
import { filterSchema } from '../../shared/vectors/filter.js';
import { collectionName, limits } from '../../shared/vectors/requests.js';
import { collectionForCall } from '../../shared/vectors/collection-cache.js';
import { searchShard } from '../../shared/vectors/searchers/in-process.js';
import {
  decodeShardSearchRequest,
  encodeShardSearchResponse,
  protobufContentType,
  type ShardSearchRequestMessage,
} from '../../shared/vectors/shard-search-wire.js';

const shardParam = z.string().regex(/^\d{1,3}$/, 'must be a shard number');

/** One shard's search, the target of a query's fan-out: protobuf in and out (proto/arbor/vectors/v1). */
app.http('search-shard', {
  methods: ['POST'],
  route: 'collections/{name}/shards/{shard}/search',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', collectionName);
    const shard = Number(routeParam(request, 'shard', shardParam));
    const problems: ErrorDetail[] = [];
    const contentType = request.headers.get('content-type') ?? '';
    if (!contentType.startsWith(protobufContentType)) {
      throw new BadRequestError('unsupported_media_type', `the body must be protobuf (content-type: ${protobufContentType})`, [
        { field: 'content-type', problem: contentType ? `is "${contentType}"` : 'is missing' },
      ]);
    }
    let message: ShardSearchRequestMessage;
    try {
      message = decodeShardSearchRequest(new Uint8Array(await request.arrayBuffer()));
    } catch (error) {
      throw new BadRequestError('invalid_protobuf', `the body is not a ShardSearchRequest: ${String(error)}`, [{ field: '(body)', problem: String(error) }]);
    }
    const collection = await collectionForCall(services, name, message.collectionUid || undefined);
    if (shard >= collection.shards) problems.push({ field: 'shard', problem: `must be below ${collection.shards}` });
    if (message.collectionUid && message.collectionUid !== collection.uid) {
      throw new ConflictError(`collection "${collection.name}" was re-created since the query resolved it`, { uid: collection.uid });
    }
    if (message.vector.length !== collection.dimension) problems.push({ field: 'vector', problem: `must have ${collection.dimension} numbers` });
    if (message.vector.some((value) => !Number.isFinite(value))) problems.push({ field: 'vector', problem: 'must hold finite numbers only' });
    if (message.k < 1 || message.k > limits.maxK * 2) problems.push({ field: 'k', problem: `must be between 1 and ${limits.maxK * 2}` });
    let filter: z.output<typeof filterSchema> | undefined;
    if (message.filterJson) {
      const parsed = filterSchema.safeParse(JSON.parse(message.filterJson));
      if (parsed.success) filter = parsed.data;
      else problems.push(...zodDetails(parsed.error.issues, 'filter'));
    }
    if (problems.length) throw new ValidationError(problems);
    const answer = await searchShard(services, collection, shard, {
      vector: message.vector,
      k: message.k,
      ef: message.ef || Math.max(100, message.k * 2),
      ...(filter ? { filter } : {}),
    });
    const body = encodeShardSearchResponse({
      shard,
      exact: answer.exact,
      items: answer.items,
      hits: answer.hits.map((hit) => ({ id: hit.id, score: hit.score, metadataJson: hit.metadata ? JSON.stringify(hit.metadata) : '' })),
    });
    return { status: 200, body, headers: { 'content-type': protobufContentType } };
  }),
});
