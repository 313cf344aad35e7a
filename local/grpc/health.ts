import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../shared/platform/generated/grpc/health/v1/health_pb.js';

/**
 * grpc.health.v1 for the services this server hosts: SERVING for "" (the server) and each
 * service name, NOT_FOUND for others, as the protocol says. Watch sends the status once and
 * holds the stream open until the client leaves or the server stops.
 */
export function healthService(serviceNames: readonly string[], stopping: AbortSignal): ServiceImpl<typeof Health> {
  const known = new Set(['', ...serviceNames]);
  const statusOf = (service: string) => (stopping.aborted ? Status.NOT_SERVING : Status.SERVING);
  return {
    check(request) {
      if (!known.has(request.service)) throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      return { status: statusOf(request.service) };
    },
    async *watch(request, context) {
      if (!known.has(request.service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        return;
      }
      yield { status: statusOf(request.service) };
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        context.signal.addEventListener('abort', done, { once: true });
        stopping.addEventListener('abort', done, { once: true });
      });
      if (stopping.aborted && !context.signal.aborted) yield { status: Status.NOT_SERVING };
    },
  };
}
