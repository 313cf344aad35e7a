import { z } from 'zod';
import { SettingsError, type SettingsSource } from '../../shared/platform/settings.js';
import { hostSettingsSchema } from '../settings.js';
import type { EntraTokenPolicy } from './entra-tokens.js';

/**
 * The settings of the gRPC server run on its own (`node dist/local/grpc/main.js`, the Container
 * App's entry point): where it listens and who may call it. The services it calls read the app's
 * settings (shared/platform/settings.ts) from the same environment, as the Function App does.
 */
export const grpcServerOwnSettingsSchema = z.object({
  /** `0.0.0.0` in a container, where the platform's ingress is the only way in. */
  ARBOR_GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  /** Entra tenant (its id) whose access tokens the server accepts as `authorization: Bearer <token>`. */
  ARBOR_GRPC_ENTRA_TENANT_ID: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a tenant id (a GUID)').optional(),
  /** The audiences a token must be for, comma separated: the API's Application ID URI and/or client id. */
  ARBOR_GRPC_ENTRA_AUDIENCE: z
    .string()
    .transform((value) => value.split(',').map((audience) => audience.trim()).filter(Boolean))
    .refine((audiences) => audiences.length > 0, 'must name at least one audience')
    .optional(),
  /** Where the tenant's keys are published; another cloud's login host, or a test's key server (http on loopback only). */
  ARBOR_GRPC_ENTRA_AUTHORITY: z
    .string()
    .url()
    .refine((value) => /^https:\/\//.test(value) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(value), 'must be https (http only on 127.0.0.1 or localhost)')
    .default('https://login.microsoftonline.com'),
  /**
   * `true` lets the server start with no credential configured (every RPC open). Off, a server
   * with neither ARBOR_FUNCTION_KEY nor the Entra settings refuses to start: an open endpoint is a choice.
   */
  ARBOR_GRPC_ALLOW_ANONYMOUS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

/** The server's own settings, and those it shares with the local host (their home is local/settings.ts). */
export const grpcServerSettingsSchema = hostSettingsSchema.pick({ ARBOR_GRPC_PORT: true, ARBOR_GRPC_CORS_ORIGINS: true, ARBOR_FUNCTION_KEY: true, ARBOR_PARENT_PID: true }).extend(grpcServerOwnSettingsSchema.shape);

export type GrpcServerSettings = z.output<typeof grpcServerSettingsSchema>;

export function parseGrpcServerSettings(source: SettingsSource): GrpcServerSettings {
  const result = grpcServerSettingsSchema.safeParse(source);
  if (!result.success) throw new SettingsError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  const settings = result.data;
  if ((settings.ARBOR_GRPC_ENTRA_TENANT_ID === undefined) !== (settings.ARBOR_GRPC_ENTRA_AUDIENCE === undefined)) {
    throw new SettingsError(['ARBOR_GRPC_ENTRA_TENANT_ID, ARBOR_GRPC_ENTRA_AUDIENCE: are set together or not at all']);
  }
  if (settings.ARBOR_FUNCTION_KEY === undefined && settings.ARBOR_GRPC_ENTRA_TENANT_ID === undefined && !settings.ARBOR_GRPC_ALLOW_ANONYMOUS) {
    throw new SettingsError([
      'ARBOR_FUNCTION_KEY or ARBOR_GRPC_ENTRA_TENANT_ID and ARBOR_GRPC_ENTRA_AUDIENCE: one credential is required (or ARBOR_GRPC_ALLOW_ANONYMOUS=true to serve every RPC to anyone)',
    ]);
  }
  return settings;
}

/** The Entra policy the settings describe, if any. */
export function entraPolicyOf(settings: GrpcServerSettings): EntraTokenPolicy | undefined {
  if (settings.ARBOR_GRPC_ENTRA_TENANT_ID === undefined || settings.ARBOR_GRPC_ENTRA_AUDIENCE === undefined) return undefined;
  return { tenantId: settings.ARBOR_GRPC_ENTRA_TENANT_ID.toLowerCase(), audiences: settings.ARBOR_GRPC_ENTRA_AUDIENCE, authority: settings.ARBOR_GRPC_ENTRA_AUTHORITY };
}
