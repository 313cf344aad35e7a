import type { ConnectRouter } from '@connectrpc/connect';
import { featureServiceImpl } from '../../shared/features/rpc.js';
import { FeatureService } from '../../shared/platform/generated/arbor/features/v1/feature_service_pb.js';
import { InferenceService } from '../../shared/platform/generated/arbor/inference/v1/inference_service_pb.js';
import { PipelineService } from '../../shared/platform/generated/arbor/pipelines/v1/pipeline_service_pb.js';
import { DocumentService } from '../../shared/platform/generated/arbor/rag/v1/document_service_pb.js';
import { VectorService } from '../../shared/platform/generated/arbor/vectors/v1/vector_service_pb.js';
import { maxRpcMessageBytes } from '../../shared/platform/rpc.js';
import { pipelineServiceImpl } from '../../shared/pipelines/rpc.js';
import { documentServiceImpl } from '../../shared/rag/rpc.js';
import { vectorServiceImpl } from '../../shared/vectors/rpc.js';
import { inferenceServiceImpl } from './inference-service.js';

/**
 * Arbor's RPC services, the one handler set both the local gRPC server (gRPC, gRPC-Web and
 * Connect on HTTP/2) and the Function App's `POST /api/rpc/{service}/{method}` route serve.
 */
export function arborRoutes(router: ConnectRouter): void {
  router.service(FeatureService, featureServiceImpl);
  router.service(VectorService, vectorServiceImpl);
  router.service(DocumentService, documentServiceImpl);
  router.service(PipelineService, pipelineServiceImpl);
  router.service(InferenceService, inferenceServiceImpl);
}

/** The router options both servers use: message size limits both ways, and a ceiling on the deadline a client may ask for. */
export const rpcRouterOptions = {
  readMaxBytes: maxRpcMessageBytes,
  writeMaxBytes: maxRpcMessageBytes,
  // Accept plain Connect requests without the Connect-Protocol-Version header (curl-friendly).
  requireConnectProtocolHeader: false,
  maxTimeoutMs: 10 * 60 * 1000,
};
