import { z } from 'zod';
import { SettingsError, type SettingsSource } from '../../shared/platform/settings.js';
import { hostSettingsSchema } from '../settings.js';

/**
 * The settings of the gRPC server run on its own (`node dist/local/grpc/main.js`, the Container
 * App's entry point): where it listens and who may call it. The services it calls read the app's
 * settings (shared/platform/settings.ts) from the same environment, as the Function App does.
 */
export const grpcServerSettingsSchema = hostSettingsSchema
  .pick({ ARBOR_GRPC_PORT: true, ARBOR_FUNCTION_KEY: true, ARBOR_PARENT_PID: true })
  .extend({
    /** `0.0.0.0` in a container, where the platform's ingress is the only way in. */
    ARBOR_GRPC_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * `true` lets the server start with no credential configured (every RPC open). Off, a server
     * without ARBOR_FUNCTION_KEY or Entra settings refuses to start: an open endpoint is a choice.
     */
    ARBOR_GRPC_ALLOW_ANONYMOUS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  });

export type GrpcServerSettings = z.output<typeof grpcServerSettingsSchema>;

export function parseGrpcServerSettings(source: SettingsSource): GrpcServerSettings {
  const result = grpcServerSettingsSchema.safeParse(source);
  if (!result.success) throw new SettingsError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  const settings = result.data;
  if (settings.ARBOR_FUNCTION_KEY === undefined && !settings.ARBOR_GRPC_ALLOW_ANONYMOUS) {
    throw new SettingsError(['ARBOR_FUNCTION_KEY: is required (or ARBOR_GRPC_ALLOW_ANONYMOUS=true to serve every RPC to anyone)']);
  }
  return settings;
}
