import { app } from '@azure/functions';
import { jobIdParam } from '../../shared/features/job-requests.js';
import { jobView, requireJob } from '../../shared/features/job-records.js';
import { getServices } from '../../shared/platform/services.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';

describeRoute('get-job', [
  {
    method: 'GET',
    path: 'jobs/{id}',
    summary: "A job's state, progress (done/total with units), result or error",
    params: { id: jobIdParam },
    responses: { 200: { description: 'The job' }, 404: { description: 'No such job' } },
  },
]);

/** A job's state, progress, result or error (docs/features.md, "Jobs"). */
app.http('get-job', {
  methods: ['GET'],
  route: 'jobs/{id}',
  authLevel: 'function',
  handler: httpHandler(async (request) => json(200, jobView(await requireJob(getServices(), routeParam(request, 'id', jobIdParam))))),
});
