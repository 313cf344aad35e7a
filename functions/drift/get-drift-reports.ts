import { app } from '@azure/functions';
import { z } from 'zod';
import { listReports } from '../../shared/drift/store.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

const viewName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'is not a feature view name');
const reportLimit = z.coerce.number().int().min(1).max(100).default(20);

describeRoute('get-drift-reports', [
  {
    method: 'GET',
    path: 'drift/{view}',
    summary: "A view's latest drift report and the ones before it",
    params: { view: viewName },
    query: { limit: reportLimit },
    responses: { 200: { description: 'The latest report and the history, newest first', schema: z.object({ latest: z.record(z.string(), z.unknown()), history: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'The view has no drift report' } },
  },
]);

/** The latest drift report of a view and the ones before it (`?limit=`, default 20). */
app.http('get-drift-reports', {
  methods: ['GET'],
  route: 'drift/{view}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const view = routeParam(request, 'view', viewName);
    const limit = queryParam(request, 'limit', reportLimit);
    const reports = await listReports(getServices(), view, limit);
    if (!reports.length) throw new NotFoundError('drift report of view', view);
    return json(200, { latest: reports[0], history: reports });
  }),
});
