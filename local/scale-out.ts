import { freePort } from './emulators/child-service.js';
import { startFrontDoor } from './front-door.js';
import { systemKeyFrom } from './http/function-keys.js';
import { startInstance, type Instance } from './instances.js';
import type { HostSettings } from './settings.js';
import { stopWithParent } from './stop-with-parent.js';

export interface ScaleOutOptions {
  settings: HostSettings;
  /** Every instance's environment: the raw settings and the addresses of the emulators started once. */
  env: Record<string, string>;
  /** Stops the emulators, after the instances. */
  stopDependencies(): Promise<void>;
}

/** How long an instance gets to stop (its own bound for in-flight work is 5 s) before it is killed. */
const instanceStopBoundMs = 8_000;

/**
 * `npm start -- --instances N`: N host processes behind a loopback front door on PORT, sharing one
 * Azurite, one Cosmos and one Redis as Flex Consumption instances share the cloud services.
 * Instance 0 owns the task hub and the timers; the others point their durable client at it
 * (docs/scaling.md).
 */
export async function serveInstances(options: ScaleOutOptions): Promise<void> {
  const { settings } = options;
  const count = settings.ARBOR_INSTANCES;
  // One system key for all: the others' durable clients present it to instance 0's API.
  const systemKey = systemKeyFrom(settings.ARBOR_SYSTEM_KEY);
  const frontDoor = await startFrontDoor({ port: settings.PORT });
  const env: Record<string, string> = {
    ...options.env,
    PORT: '0',
    ARBOR_SYSTEM_KEY: systemKey,
    // As in Azure, the app's own address is the load-balanced one, not an instance's.
    ARBOR_SELF_URL: options.env.ARBOR_SELF_URL || frontDoor.url,
  };
  let stopping = false;
  const instances: Instance[] = [];
  const onExit = (index: number) => (code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping) return;
    frontDoor.markDown(index);
    console.error(`instance ${index} exited (${code ?? signal}); the front door no longer sends it requests${index === 0 ? '. It owned the task hub and the timers: durable work and timers stop until a restart' : ''}`);
  };
  try {
    console.log(`Arbor local host: starting ${count} instances behind ${frontDoor.url}`);
    // The owner's port is chosen here (free a moment ago; it binds it first thing), so all
    // instances start at once: each loads the whole app, which is most of a start.
    const ownerPort = await freePort();
    const ownerUrl = `http://127.0.0.1:${ownerPort}`;
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, index) =>
        startInstance({
          index,
          env: index === 0 ? { ...env, PORT: String(ownerPort), ARBOR_GRPC_PORT: String(settings.ARBOR_GRPC_PORT) } : { ...env, ARBOR_GRPC_PORT: '0', ARBOR_DURABLE_OWNER_URL: ownerUrl },
          onExit: onExit(index),
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    stopping = true;
    await stopAll(instances);
    await frontDoor.stop();
    await options.stopDependencies();
    throw error;
  }
  frontDoor.setInstances(instances.map((instance) => instance.url));
  console.log(`Front door: ${frontDoor.url} -> ${instances.map((instance) => `[${instance.index}] ${instance.url}`).join(', ')} (least outstanding requests; durable API and /admin to [0])`);
  console.log(`Arbor is up: ${frontDoor.url}/api/health`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${instances.length} instances`);
    await frontDoor.stop();
    await stopAll(instances);
    await options.stopDependencies();
    console.log('Arbor stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  stopWithParent(settings.ARBOR_PARENT_PID, () => void shutdown('parent process exited'));
}

/** The others first, then the owner: work they hand it (starting runs) is recorded before it stops. */
async function stopAll(instances: readonly Instance[]): Promise<void> {
  const stopOne = async (instance: Instance) => {
    const killer = setTimeout(() => instance.process.kill('SIGKILL'), instanceStopBoundMs);
    await instance.stop('SIGTERM');
    clearTimeout(killer);
  };
  await Promise.all(instances.filter((instance) => instance.index !== 0).map(stopOne));
  const owner = instances.find((instance) => instance.index === 0);
  if (owner) await stopOne(owner);
}
