import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grpcServerSettingsSchema } from '../../local/grpc/settings.js';
import { hostSettingsSchema } from '../../local/settings.js';
import { settingsSchema } from '../../shared/platform/settings.js';
import { importSpecifiers, readImportGraph } from '../support/import-floors.js';
import { blockAfter, parseSimpleYaml, read, resource, root, stripComments, topLevelKeys } from './bicep-source.js';
import { runProcess } from './run-process.js';

/**
 * The gRPC server's Container App (infra/modules/grpc-container-app.bicep), its image
 * (Dockerfile) and its azd service, checked offline: no Bicep compiler and no Docker daemon run
 * here, so the Bicep is read as text and the image's build is reproduced without Docker (the
 * folders the Dockerfile copies compile on their own, and the entry point runs from them).
 */

const modulePath = 'infra/modules/grpc-container-app.bicep';
const module = stripComments(read(modulePath));
const main = stripComments(read('infra/main.bicep'));
const functionApp = stripComments(read('infra/modules/function-app.bicep'));
const dockerfile = read('Dockerfile');
const mainModuleParams = (symbol: string): string => blockAfter(blockAfter(main, new RegExp(`^module\\s+${symbol}\\s+'[^']+'\\s*=\\s*\\{`, 'm')), /params:\s*\{/);
const passed = (symbol: string, name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(mainModuleParams(symbol))?.[1]?.trim();
const app = resource(module, 'app');

describe('the Container App', () => {
  it('is wired from main.bicep', () => {
    expect(main).toMatch(/^module grpc 'modules\/grpc-container-app\.bicep' = \{$/m);
    expect(app.type).toBe('Microsoft.App/containerApps@2024-03-01');
    expect(app.body).toMatch(/managedEnvironmentId: environment\.id/);
  });

  it('takes gRPC on HTTP/2 from the internet over TLS only, on the port the server listens on', () => {
    const ingress = blockAfter(app.body, /ingress:\s*\{/);
    expect(ingress).toMatch(/^\s*transport: 'http2'$/m);
    expect(ingress).toMatch(/^\s*external: true$/m);
    expect(ingress).toMatch(/^\s*allowInsecure: false$/m);
    expect(ingress).toMatch(/^\s*targetPort: grpcPort$/m);
    // The server is told the same port, and the image listens there by default too.
    expect(blockAfter(module, /var grpcSettings = \{/)).toMatch(/^\s*ARBOR_GRPC_PORT: string\(grpcPort\)$/m);
    expect(blockAfter(module, /var grpcSettings = \{/)).toMatch(/^\s*ARBOR_GRPC_HOST: '0\.0\.0\.0'$/m);
    const port = passed('grpc', 'grpcPort');
    const serverDefault = String(hostSettingsSchema.shape.ARBOR_GRPC_PORT.parse(undefined));
    expect(port).toBe(serverDefault);
    expect(/^param grpcPort int = (\d+)$/m.exec(module)?.[1]).toBe(serverDefault);
    expect(dockerfile).toMatch(new RegExp(`^\\s*ARBOR_GRPC_PORT=${serverDefault}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${serverDefault}$`, 'm'));
  });

  it('scales between the replica counts main.bicep passes, on concurrent requests', () => {
    const scale = blockAfter(app.body, /scale:\s*\{/);
    expect(scale).toMatch(/minReplicas: minReplicas/);
    expect(scale).toMatch(/maxReplicas: maxReplicas/);
    expect(scale).toMatch(/concurrentRequests: string\(concurrentRequestsPerReplica\)/);
    expect(passed('grpc', 'minReplicas')).toBe('grpcMinReplicas');
    expect(passed('grpc', 'maxReplicas')).toBe('grpcMaxReplicas');
  });

  it('runs as the Function App\'s identity, which holds every data-plane role the Function App has', () => {
    expect(app.body).toMatch(/type: 'UserAssigned'/);
    expect(app.body).toMatch(/userAssignedIdentities: \{ '\$\{identityId\}': \{\} \}/);
    expect(passed('grpc', 'identityId')).toBe('identity.outputs.id');
    expect(passed('grpc', 'identityPrincipalId')).toBe('identity.outputs.principalId');
    expect(passed('app', 'identityId')).toBe('identity.outputs.id');
    // Each data module grants its roles to that identity's principal (directly or through appPrincipal).
    expect(main).toMatch(/^var appPrincipal = \[\{ id: identity\.outputs\.principalId, type: 'ServicePrincipal' \}\]$/m);
    const grantees: Record<string, RegExp> = {
      storage: /^\s*dataPrincipals: concat\(appPrincipal, userPrincipal\)$/m,
      durableTask: /^\s*dataPrincipals: concat\(appPrincipal, userPrincipal\)$/m,
      cosmos: /^\s*dataPrincipalIds: concat\(\[identity\.outputs\.principalId\]/m,
      redis: /^\s*dataPrincipalIds: concat\(\[identity\.outputs\.principalId\]/m,
      monitoring: /^\s*appPrincipalId: identity\.outputs\.principalId$/m,
    };
    for (const [symbol, grant] of Object.entries(grantees)) expect(mainModuleParams(symbol), `module ${symbol}`).toMatch(grant);
  });

  it('pulls its image from its own registry with that identity (AcrPull), never with an admin user or anonymously', () => {
    const registry = resource(module, 'registry');
    expect(registry.type).toMatch(/^Microsoft\.ContainerRegistry\/registries@/);
    expect(registry.body).toMatch(/adminUserEnabled: false/);
    expect(registry.body).toMatch(/anonymousPullEnabled: false/);
    const pull = resource(module, 'identityPullsImages');
    expect(pull.body).toMatch(/scope: registry$/m);
    expect(pull.body).toMatch(/principalId: identityPrincipalId$/m);
    expect(pull.body).toMatch(/roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', acrPull\)/);
    // AcrPull's built-in role id.
    expect(module).toMatch(/^var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'$/m);
    const registries = blockAfter(app.body, /registries:\s*\[/, '[');
    expect(registries).toMatch(/server: registry\.properties\.loginServer/);
    expect(registries).toMatch(/identity: identityId/);
    expect(registries).not.toMatch(/passwordSecretRef|username/);
    expect(app.body).toMatch(/dependsOn: \[identityPullsImages\]/);
    // azd pushes to the registry main.bicep names in this output.
    expect(read('infra/main.bicep')).toMatch(/^output AZURE_CONTAINER_REGISTRY_ENDPOINT string = grpc\.outputs\.registryEndpoint$/m);
  });

  it("gets the Function App's settings as its environment, changing only what a server without the Functions host needs", () => {
    expect(functionApp).toMatch(/^output appSettings object = appSettings$/m);
    expect(passed('grpc', 'appSettings')).toBe('app.outputs.appSettings');
    expect(module).toMatch(/^var containerEnv = \[for setting in items\(union\(appSettings, grpcSettings\)\): \{$/m);
    expect(blockAfter(app.body, /containers:\s*\[/, '[')).toMatch(/^\s*env: containerEnv$/m);
    const added = topLevelKeys(blockAfter(module, /var grpcSettings = \{/));
    const appSettings = topLevelKeys(blockAfter(functionApp, /var appSettings = \{/));
    // Every setting it adds is one the gRPC server or the app reads.
    for (const name of added) expect(name in grpcServerSettingsSchema.shape || name in settingsSchema.shape, `${name} is read by no one`).toBe(true);
    // The one app setting it overrides: a vector query's fan-out stays in the process (its callers hold Entra tokens, not the function key the HTTP fan-out forwards).
    expect(added.filter((name) => appSettings.includes(name))).toEqual(['ARBOR_VECTOR_FANOUT']);
    expect(settingsSchema.shape.ARBOR_VECTOR_FANOUT.parse('inprocess')).toBe('inprocess');
    // The server refuses to start without a credential: in Azure it checks Entra tokens for this tenant.
    expect(added).toEqual(expect.arrayContaining(['ARBOR_GRPC_ENTRA_TENANT_ID', 'ARBOR_GRPC_ENTRA_AUDIENCE']));
    expect(passed('grpc', 'entraTenantId')).toBe('tenant().tenantId');
  });

  it('sends its logs to the Log Analytics workspace without a shared key', () => {
    expect(resource(module, 'environment').body).toMatch(/destination: 'azure-monitor'/);
    const logs = resource(module, 'environmentLogs');
    expect(logs.body).toMatch(/scope: environment$/m);
    expect(logs.body).toMatch(/workspaceId: logAnalyticsWorkspaceId/);
    expect(passed('grpc', 'logAnalyticsWorkspaceId')).toBe('monitoring.outputs.logAnalyticsId');
  });

  it('keeps the deployed image when provisioned again (azd SERVICE_GRPC_RESOURCE_EXISTS)', () => {
    expect(app.body).toMatch(/image: exists \? existingApp!\.properties\.template\.containers\[0\]\.image : placeholderImage/);
    const parameters = (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    expect(parameters.grpcExists?.value).toBe('${SERVICE_GRPC_RESOURCE_EXISTS=false}');
    expect(passed('grpc', 'exists')).toBe('grpcExists');
    // azd finds the app by this tag.
    expect(app.body).toMatch(/tags: union\(tags, \{ 'azd-service-name': 'grpc' \}\)/);
  });
});

describe('azure.yaml service grpc', () => {
  it('is a Container App built from the Dockerfile in Azure (no Docker engine on the deploying machine)', () => {
    const azure = parseSimpleYaml(read('azure.yaml')) as { services: Record<string, unknown> };
    expect(azure.services.grpc).toEqual({ project: '.', language: 'js', host: 'containerapp', docker: { path: './Dockerfile', remoteBuild: 'true' } });
  });
});

describe('the image (Dockerfile)', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\w+))?$/gm)].map((match) => ({ image: match[1] as string, name: match[2] }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs a slim Node 22 in another, as a user other than root', () => {
    expect(stages).toEqual([
      { image: 'node:22-bookworm', name: 'build' },
      { image: 'node:22-bookworm-slim', name: 'runtime' },
    ]);
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    expect(dockerfile).toMatch(/npm run build/);
    // Dev dependencies are pruned before node_modules is copied into the runtime stage.
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/node_modules/m);
    expect(runtime).not.toMatch(/^RUN /m);
    expect(/^USER (\S+)$/m.exec(runtime)?.[1]).toBe('node');
  });

  it("runs the gRPC server's own entry point, not the local host with its emulators", () => {
    const command = /^CMD \["node", "(dist\/[^"]+)"\]$/m.exec(runtime)?.[1];
    expect(command).toBe('dist/local/grpc/main.js');
    const source = (command as string).replace(/^dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(join(root, source))).toBe(true);
    // Nothing it imports, however indirectly, starts an emulator or the Functions host.
    const reached = reachableFrom(source);
    expect(reached.size).toBeGreaterThan(20);
    expect([...reached].filter((file) => file.startsWith('local/') && !file.startsWith('local/grpc/')).sort()).toEqual(['local/http/function-keys.ts', 'local/settings.ts', 'local/stop-with-parent.ts']);
  });

  it('needs only production dependencies at run time', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const packages = new Set<string>();
    for (const file of reachableFrom('local/grpc/main.ts')) {
      // Type-only imports are erased by tsc and need nothing at run time.
      const source = readFileSync(join(root, file), 'utf8').replace(/^import type [^;]+;$/gm, '');
      for (const specifier of importSpecifiers(source)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        packages.add(name);
      }
    }
    expect(packages.size).toBeGreaterThan(5);
    expect([...packages].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it('leaves the local state, the tests and the build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.arbor', '.azure', '.git', 'local.settings.json', 'test']));
    // What the build stage copies is in the context.
    for (const copied of [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => (match[1] as string).split(/\s+/))) {
      expect(ignored, `${copied} is copied but ignored`).not.toContain(copied);
      expect(existsSync(join(root, copied)), copied).toBe(true);
    }
  });

  describe('built without Docker from what the Dockerfile copies', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'arbor-image-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('compiles, and its entry point starts and names the credential it lacks', { timeout: 300_000 }, async () => {
      const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => (match[1] as string).split(/\s+/));
      expect(copied).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'functions', 'shared', 'local']);
      for (const path of copied) cpSync(join(root, path), join(scratch, path), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
      const build = await runProcess(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: scratch, timeoutMs: 280_000 });
      expect(build.stdout + build.stderr, 'tsc in the image').toBe('');
      expect(build.status).toBe(0);
      // The image's environment without a credential: the server refuses to start, saying which setting to give.
      const started = await runProcess(process.execPath, ['dist/local/grpc/main.js'], {
        cwd: scratch,
        env: { PATH: process.env.PATH ?? '', ARBOR_GRPC_HOST: '127.0.0.1', ARBOR_GRPC_PORT: '0', AzureWebJobsStorage__blobServiceUri: 'https://example.blob.core.windows.net' },
        timeoutMs: 30_000,
      });
      expect(started.status).toBe(1);
      expect(started.stderr).toMatch(/Arbor gRPC server failed to start: [\s\S]*ARBOR_FUNCTION_KEY/);
    });
  });
});

function reachableFrom(entry: string): Set<string> {
  const graph = readImportGraph(root, ['functions', 'shared', 'local']);
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file) ?? []));
  }
  return seen;
}
