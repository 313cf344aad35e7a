import type { JsonObject } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { ValidationError } from '../platform/errors.js';
import { FeatureService, PushTarget, ValueStatus } from '../platform/generated/arbor/features/v1/feature_service_pb.js';
import { columnsOf, structOf, unaryRpc, validBody } from '../platform/rpc.js';
import { getServices } from '../platform/services.js';
import type { ValueStatus as OnlineStatus } from './online.js';
import { onlineRequestSchema, pushRequestSchema } from './requests.js';
import { serveOnlineRequest, servePush } from './requests-served.js';

/**
 * FeatureService (proto/arbor/features/v1): the online read and the push of the HTTP API, over
 * the same core. Each message becomes the JSON body the HTTP function takes and is validated by
 * the same schema, so a bad field is named alike on both.
 */
const statusOf: Record<OnlineStatus, ValueStatus> = {
  present: ValueStatus.PRESENT,
  missing: ValueStatus.MISSING,
  stale: ValueStatus.STALE,
};
const targetOf: Record<PushTarget, 'online' | 'offline' | 'both'> = {
  [PushTarget.UNSPECIFIED]: 'online',
  [PushTarget.ONLINE]: 'online',
  [PushTarget.OFFLINE]: 'offline',
  [PushTarget.BOTH]: 'both',
};

export const featureServiceImpl: ServiceImpl<typeof FeatureService> = {
  getOnlineFeatures: unaryRpc(async (request) => {
    const body = validBody(onlineRequestSchema, {
      ...(request.features.length ? { features: request.features } : {}),
      ...(request.service ? { service: request.service } : {}),
      entities: columnsOf(request.entities),
    });
    const results = await serveOnlineRequest(getServices(), body);
    return {
      results: results.map((result) => ({
        entity: structOf(result.entity) as JsonObject,
        values: structOf(result.values) as JsonObject,
        status: Object.fromEntries(Object.entries(result.status).map(([ref, status]) => [ref, statusOf[status]])),
      })),
    };
  }),

  pushFeatures: unaryRpc(async (request) => {
    if (!(request.to in targetOf)) throw new ValidationError([{ field: 'to', problem: `${request.to} is not a PushTarget` }]);
    const body = validBody(pushRequestSchema, { view: request.view, rows: request.rows, to: targetOf[request.to] });
    const result = await servePush(getServices(), body);
    return { view: result.view, rows: result.rows, ...(result.online ? { online: result.online } : {}), ...(result.offline ? { offline: result.offline } : {}) };
  }),
};
