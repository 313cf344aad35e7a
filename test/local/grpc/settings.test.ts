import { describe, expect, it } from 'vitest';
import { entraPolicyOf, parseGrpcServerSettings } from '../../../local/grpc/settings.js';
import { SettingsError } from '../../../shared/platform/settings.js';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const problemsOf = (source: Record<string, string>): readonly string[] => {
  try {
    parseGrpcServerSettings(source);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
};

describe('the standalone gRPC server settings', () => {
  it('take the Entra tenant and audiences, defaulting the authority', () => {
    const settings = parseGrpcServerSettings({ ARBOR_GRPC_ENTRA_TENANT_ID: tenant.toUpperCase(), ARBOR_GRPC_ENTRA_AUDIENCE: ' api://arbor , 1234 ,' });
    expect(entraPolicyOf(settings)).toEqual({ tenantId: tenant, audiences: ['api://arbor', '1234'], authority: 'https://login.microsoftonline.com' });
    expect(settings.ARBOR_GRPC_HOST).toBe('127.0.0.1');
    expect(settings.ARBOR_GRPC_ALLOW_ANONYMOUS).toBe(false);
  });

  it('refuse to start with no credential, unless anonymous is asked for', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^ARBOR_FUNCTION_KEY or ARBOR_GRPC_ENTRA_TENANT_ID/)]);
    expect(problemsOf({ ARBOR_GRPC_ALLOW_ANONYMOUS: 'true' })).toEqual([]);
    expect(problemsOf({ ARBOR_FUNCTION_KEY: 'a-function-key-of-16+' })).toEqual([]);
    expect(entraPolicyOf(parseGrpcServerSettings({ ARBOR_FUNCTION_KEY: 'a-function-key-of-16+' }))).toBeUndefined();
  });

  it.each([
    [{ ARBOR_GRPC_ENTRA_TENANT_ID: tenant }, /ARBOR_GRPC_ENTRA_AUDIENCE: are set together/],
    [{ ARBOR_GRPC_ENTRA_AUDIENCE: 'api://arbor' }, /ARBOR_GRPC_ENTRA_TENANT_ID, ARBOR_GRPC_ENTRA_AUDIENCE: are set together/],
    [{ ARBOR_GRPC_ENTRA_TENANT_ID: 'contoso.onmicrosoft.com', ARBOR_GRPC_ENTRA_AUDIENCE: 'api://arbor' }, /^ARBOR_GRPC_ENTRA_TENANT_ID: must be a tenant id/],
    [{ ARBOR_GRPC_ENTRA_TENANT_ID: tenant, ARBOR_GRPC_ENTRA_AUDIENCE: ' , ' }, /^ARBOR_GRPC_ENTRA_AUDIENCE: must name at least one audience/],
    [{ ARBOR_GRPC_ENTRA_TENANT_ID: tenant, ARBOR_GRPC_ENTRA_AUDIENCE: 'api://arbor', ARBOR_GRPC_ENTRA_AUTHORITY: 'http://login.example.com' }, /^ARBOR_GRPC_ENTRA_AUTHORITY: must be https/],
    [{ ARBOR_GRPC_ALLOW_ANONYMOUS: 'yes' }, /^ARBOR_GRPC_ALLOW_ANONYMOUS:/],
    [{ ARBOR_FUNCTION_KEY: 'short' }, /^ARBOR_FUNCTION_KEY: must be at least 16 characters/],
    [{ ARBOR_FUNCTION_KEY: 'a-function-key-of-16+', ARBOR_GRPC_PORT: '70000' }, /^ARBOR_GRPC_PORT:/],
  ])('name a bad setting: %j', (source, problem) => {
    expect(problemsOf(source as Record<string, string>).join('\n')).toMatch(problem);
  });

  it('take http only for a key server on loopback (tests)', () => {
    const settings = parseGrpcServerSettings({ ARBOR_GRPC_ENTRA_TENANT_ID: tenant, ARBOR_GRPC_ENTRA_AUDIENCE: 'api://arbor', ARBOR_GRPC_ENTRA_AUTHORITY: 'http://127.0.0.1:8080' });
    expect(entraPolicyOf(settings)?.authority).toBe('http://127.0.0.1:8080');
  });
});
