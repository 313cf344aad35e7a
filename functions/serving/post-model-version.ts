import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { versionMetadataHeader } from '../../shared/serving/requests.js';
import { registerUploadedVersion } from '../../shared/serving/upload.js';

/** Registers the next version: the ONNX file as the body (metadata in a header), or JSON with it inline or in a blob. 400 naming every mismatch, nothing stored. */
app.http('post-model-version', {
  methods: ['POST'],
  route: 'models/{name}/versions',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', servingName);
    const body = new Uint8Array(await request.arrayBuffer());
    const version = await registerUploadedVersion(getServices(), name, {
      contentType: request.headers.get('content-type') ?? '',
      metadataHeader: request.headers.get(versionMetadataHeader) ?? undefined,
      body,
    });
    return json(201, version);
  }),
});
