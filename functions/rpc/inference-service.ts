import type { JsonObject } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { InferenceService } from '../../shared/platform/generated/arbor/inference/v1/inference_service_pb.js';
import { columnsOf, listValueOf, structOf, unaryRpc, validBody, validField } from '../../shared/platform/rpc.js';
import { getServices } from '../../shared/platform/services.js';
import { servingName } from '../../shared/serving/definitions.js';
import { predict } from '../../shared/serving/predict.js';
import { predictRequestSchema } from '../../shared/serving/requests.js';

/**
 * InferenceService (proto/arbor/inference/v1): a thin adapter over serving's in-process predict
 * (docs/serving.md), the call POST /api/endpoints/{name}/predict makes. It sits with the
 * composition root rather than in shared/serving so serving's own files stay serving's; the
 * shadow, if the request is mirrored, runs after the answer as on HTTP.
 */
export const inferenceServiceImpl: ServiceImpl<typeof InferenceService> = {
  predict: unaryRpc(async (request) => {
    const name = validField('endpoint', servingName, request.endpoint);
    const body = validBody(predictRequestSchema, {
      ...(Object.keys(request.entities).length ? { entities: columnsOf(request.entities) } : {}),
      ...(Object.keys(request.inputs).length ? { inputs: columnsOf(request.inputs) } : {}),
      ...(request.requestKey ? { requestKey: request.requestKey } : {}),
    });
    const result = await predict(getServices(), name, body, { pinned: request.variant || undefined });
    const shadow = result.shadow;
    if (shadow) setImmediate(() => void shadow().catch((error: unknown) => console.warn('shadow failed', error)));
    const answer = result.answer;
    return {
      predictions: answer.predictions,
      outputs: Object.fromEntries(Object.entries(answer.outputs ?? {}).map(([output, rows]) => [output, listValueOf(rows)])),
      variant: answer.variant,
      model: answer.model,
      version: answer.version,
      featureStatus: answer.featureStatus.map((row) => structOf(row) as JsonObject),
    };
  }),
};
