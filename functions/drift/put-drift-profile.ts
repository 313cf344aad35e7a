import { app } from '@azure/functions';
import { captureProfile } from '../../shared/drift/profiles.js';
import { profileRequestSchema } from '../../shared/drift/requests.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('put-drift-profile', [
  {
    method: 'POST',
    path: 'drift/profiles',
    summary: "Captures a reference profile from a window of a view's offline data or from a training set",
    body: profileRequestSchema,
    responses: { 201: { description: '{ name, view, rows, source, features }' }, 404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' }, 409: { description: 'Offline partitions it needs are archived (named)' } },
  },
]);

/** Captures a reference profile from a window of a view's offline data or from a training set. */
app.http('put-drift-profile', {
  methods: ['POST'],
  route: 'drift/profiles',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, profileRequestSchema);
    const services = getServices();
    const profile = await captureProfile(services, featureStores(services).offline, await loadRegistry(services), body, new Date());
    return json(201, { name: profile.name, view: profile.view, rows: profile.rows, source: profile.source, features: Object.keys(profile.features) });
  }),
});
