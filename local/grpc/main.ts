/**
 * The gRPC server on its own, against the services its settings name: the Container App's
 * entry point (Dockerfile). Unlike `npm start` (local/main.ts) it starts no emulator and no
 * Functions host; storage, Cosmos DB and Redis are the ones in the environment, as on the
 * Function App. There is no durable client here, so StartRun answers UNAVAILABLE (call the
 * Function App's RPC route for it); every other RPC, streaming included, is served.
 */
import { loadSettings, mergeSettingSources } from '../../shared/platform/settings.js';
import { startGrpcServer } from './server.js';
import { entraPolicyOf, parseGrpcServerSettings } from './settings.js';
import { stopWithParent } from '../stop-with-parent.js';

async function main(): Promise<void> {
  // Empty values count as unset, as for the app's settings (Bicep passes '' for "none").
  const settings = parseGrpcServerSettings(mergeSettingSources(process.env, {}));
  // The app's settings are checked before the port opens, so a bad one stops the start naming it.
  loadSettings();
  const server = await startGrpcServer({
    host: settings.ARBOR_GRPC_HOST,
    port: settings.ARBOR_GRPC_PORT,
    functionKey: settings.ARBOR_FUNCTION_KEY,
    entra: entraPolicyOf(settings),
    corsOrigins: settings.ARBOR_GRPC_CORS_ORIGINS,
  });
  const credentials = [
    ...(settings.ARBOR_GRPC_ENTRA_TENANT_ID !== undefined ? ['an Entra token'] : []),
    ...(settings.ARBOR_FUNCTION_KEY !== undefined ? ['the function key'] : []),
  ];
  const auth = credentials.length ? `${credentials.join(' or ')} required` : 'no credential required';
  console.log(`Arbor gRPC server: ${server.url} (gRPC, gRPC-Web and Connect; ${auth})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    await server.stop();
    process.exit(0);
  };
  // Container Apps sends SIGTERM when a replica is stopped, then waits before SIGKILL.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  stopWithParent(settings.ARBOR_PARENT_PID, () => void shutdown('parent process exited'));
}

main().catch((error: unknown) => {
  console.error(`Arbor gRPC server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
