import { app } from '@azure/functions';
import { jobIdParam } from '../../shared/features/job-requests.js';
import { requestCancel } from '../../shared/features/job-records.js';
import { getServices } from '../../shared/platform/services.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';

describeRoute('cancel-job', [
  {
    method: 'POST',
    path: 'jobs/{id}/cancel',
    summary: 'Asks a queued or running job to stop before its next chunk',
    params: { id: jobIdParam },
    responses: { 202: { description: 'The cancel is recorded' }, 404: { description: 'No such job' }, 409: { description: 'The job has ended' } },
  },
]);

/** Asks a queued or running job to stop (202; it stops before its next chunk); 409 when it has ended. */
app.http('cancel-job', {
  methods: ['POST'],
  route: 'jobs/{id}/cancel',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const job = await requestCancel(getServices(), routeParam(request, 'id', jobIdParam), new Date());
    return json(202, { jobId: job.id, state: job.state, cancelRequestedAt: job.cancelRequestedAt });
  }),
});
