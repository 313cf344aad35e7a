import { app } from '@azure/functions';
import { jobLimitQuery, jobStateQuery } from '../../shared/features/job-requests.js';
import { listJobs } from '../../shared/features/job-records.js';
import { getServices } from '../../shared/platform/services.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { httpHandler, json, queryParam } from '../../shared/platform/http.js';

describeRoute('list-jobs', [
  {
    method: 'GET',
    path: 'jobs',
    summary: 'The newest jobs first',
    query: { limit: jobLimitQuery, state: jobStateQuery },
    responses: { 200: { description: 'The jobs' } },
  },
]);

/** The newest jobs first: `?limit=` (1-100, default 20), `?state=`. */
app.http('list-jobs', {
  methods: ['GET'],
  route: 'jobs',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const limit = queryParam(request, 'limit', jobLimitQuery);
    const state = queryParam(request, 'state', jobStateQuery);
    return json(200, { jobs: await listJobs(getServices(), { limit, ...(state ? { state } : {}) }) });
  }),
});
