import { app } from '@azure/functions';
import { z } from 'zod';
import { ingestFileRecordSchema, ingestStatus } from '../../shared/features/ingest-files.js';
import { nameSchema } from '../../shared/platform/names.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

const ingestLimit = z.coerce.number().int().min(1).max(100).default(20);

describeRoute('get-ingest-status', [
  {
    method: 'GET',
    path: 'features/ingest/{view}',
    summary: 'The newest files dropped under ingest/{view}/ and what became of each: ingested, unchanged or quarantined (with why)',
    params: { view: nameSchema },
    query: { limit: ingestLimit },
    responses: {
      200: {
        description: 'One entry per file version (name and bytes), newest first',
        schema: z.object({ view: z.string(), files: z.array(ingestFileRecordSchema.omit({ kind: true })) }),
      },
      404: { description: 'The view is not registered (unknown_view)' },
    },
  },
]);

/** What became of the files dropped for a view's ingestion (`?limit=` 1-100, default 20). */
app.http('get-ingest-status', {
  methods: ['GET'],
  route: 'features/ingest/{view}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const view = routeParam(request, 'view', nameSchema);
    const limit = queryParam(request, 'limit', ingestLimit);
    return json(200, await ingestStatus(getServices(), view, limit));
  }),
});
