import { app } from '@azure/functions';
import { z } from 'zod';
import { listReports } from '../../shared/drift/store.js';
import { loadRegistry, requireView } from '../../shared/features/registry.js';
import { nameSchema } from '../../shared/platform/names.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

const viewName = nameSchema;
const reportLimit = z.coerce.number().int().min(1).max(100).default(20);

describeRoute('get-drift-reports', [
  {
    method: 'GET',
    path: 'drift/{view}',
    summary: "A view's latest drift report and the ones before it",
    params: { view: viewName },
    query: { limit: reportLimit },
    responses: { 200: { description: 'The latest report and the history, newest first', schema: z.object({ latest: z.record(z.string(), z.unknown()), history: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'The view is not registered (unknown_view), or has no drift report (not_found)' } },
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
    const services = getServices();
    // An unregistered view answers as on every features route; a registered one without reports is not_found.
    requireView(await loadRegistry(services), view);
    const reports = await listReports(services, view, limit);
    if (!reports.length) throw new NotFoundError('drift report of view', view);
    return json(200, { latest: reports[0], history: reports });
  }),
});
