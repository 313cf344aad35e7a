// @ts-check
// azd postdeploy (sh and pwsh alike: `node infra/hooks/postdeploy.mjs`): subscribes every
// blob-triggered function of the deployed app to the storage account's Event Grid system topic,
// the only way blob triggers fire on Flex Consumption.
//
// This cannot be in Bicep: Event Grid validates the webhook when a subscription is created, and
// the webhook (/runtime/webhooks/blobs with the blobs extension's system key) only answers once
// the code is deployed.
//
// Idempotent, and it converges: the functions are read from the deployed app itself, each gets
// its subscription created or replaced (`event-subscription create` is a PUT), subscriptions
// that point at this app's blob webhook for a function that no longer exists are deleted, and
// the hook fails unless every subscription it wants ends up provisioned.

import { pathToFileURL } from 'node:url';
import { az, azJson, requireEnv, runHook, withRetries } from './azure-cli.mjs';

/**
 * @typedef {{ name?: string, config?: { bindings?: Array<{ type?: string, path?: string }> } }} DeployedFunction
 * @typedef {{ name: string, provisioningState?: string, destination?: { endpointBaseUrl?: string }, filter?: { subjectBeginsWith?: string } }} Subscription
 * @typedef {{ name: string, functionName: string, container: string }} WantedSubscription
 */

/**
 * Event Grid subscription names: letters, digits and hyphens, 3 to 64 characters.
 * @param {string} functionName
 */
export function subscriptionName(functionName) {
  const name = functionName.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 64);
  return name.length >= 3 ? name : `${name}-fn`;
}

/**
 * One subscription per blob-triggered function: its name, and the container its path watches.
 * @param {unknown} functions `az functionapp function list` output
 * @returns {WantedSubscription[]}
 */
export function wantedSubscriptions(functions) {
  if (!Array.isArray(functions)) throw new Error('az functionapp function list did not return a list');
  /** @type {WantedSubscription[]} */
  const wanted = [];
  for (const fn of /** @type {DeployedFunction[]} */ (functions)) {
    const trigger = fn.config?.bindings?.find((binding) => binding.type?.toLowerCase() === 'blobtrigger');
    if (!trigger) continue;
    // Listed as "<app>/<function>"; the path is "<container>/<pattern>".
    const functionName = String(fn.name ?? '').split('/').pop() ?? '';
    const container = String(trigger.path ?? '').split('/')[0] ?? '';
    if (!functionName || !/^[a-z0-9-]{3,63}$/.test(container)) throw new Error(`cannot read the blob trigger of ${JSON.stringify(fn.name)} (path ${JSON.stringify(trigger.path)})`);
    wanted.push({ name: subscriptionName(functionName), functionName, container });
  }
  return wanted;
}

async function main() {
  const resourceGroup = requireEnv('AZURE_RESOURCE_GROUP');
  const app = requireEnv('AZURE_FUNCTION_APP_NAME');
  const topic = requireEnv('AZURE_STORAGE_SYSTEM_TOPIC_NAME');
  const webhook = `${requireEnv('SERVICE_API_BASE_URL').replace(/\/+$/, '')}/runtime/webhooks/blobs`;
  const topicArgs = ['--resource-group', resourceGroup, '--system-topic-name', topic];

  // The host creates the key when it first indexes a blob-triggered function, after deployment.
  const key = await withRetries('the blobs_extension system key', async () => {
    const keys = /** @type {{ systemKeys?: Record<string, string> } | null} */ (await azJson(['functionapp', 'keys', 'list', '--resource-group', resourceGroup, '--name', app]));
    const value = keys?.systemKeys?.blobs_extension;
    if (!value) throw new Error('not there yet: the host has not indexed a blob-triggered function');
    return value;
  });

  const wanted = await withRetries('the blob-triggered functions', async () => {
    const found = wantedSubscriptions(await azJson(['functionapp', 'function', 'list', '--resource-group', resourceGroup, '--name', app]));
    if (found.length === 0) throw new Error(`${app} lists no blob-triggered function yet`);
    return found;
  });

  for (const subscription of wanted) {
    console.log(`Event Grid: ${subscription.container}/ -> ${subscription.functionName} (${subscription.name})`);
    const endpoint = `${webhook}?functionName=Host.Functions.${subscription.functionName}&code=${key}`;
    // Validation fails while the host is still starting; it answers within a few tries.
    await withRetries(`Event Grid subscription ${subscription.name}`, () =>
      az([
        'eventgrid', 'system-topic', 'event-subscription', 'create', ...topicArgs,
        '--name', subscription.name,
        '--endpoint-type', 'webhook', '--endpoint', endpoint,
        '--included-event-types', 'Microsoft.Storage.BlobCreated',
        '--subject-begins-with', `/blobServices/default/containers/${subscription.container}/`,
        '--event-delivery-schema', 'EventGridSchema',
        '--max-delivery-attempts', '30', '--event-ttl', '1440',
        '--output', 'none',
      ]),
    );
  }

  const listed = async () => /** @type {Subscription[]} */ ((await azJson(['eventgrid', 'system-topic', 'event-subscription', 'list', ...topicArgs])) ?? []);
  const wantedNames = new Set(wanted.map((s) => s.name));
  for (const stale of (await listed()).filter((s) => s.destination?.endpointBaseUrl === webhook && !wantedNames.has(s.name))) {
    console.log(`Event Grid: deleting ${stale.name} (its function is no longer deployed)`);
    await az(['eventgrid', 'system-topic', 'event-subscription', 'delete', ...topicArgs, '--name', stale.name, '--yes']);
  }

  const after = new Map((await listed()).map((s) => [s.name, s]));
  const broken = wanted.filter((s) => after.get(s.name)?.provisioningState !== 'Succeeded');
  if (broken.length > 0) {
    throw new Error(`these blob triggers have no working Event Grid subscription, so they will never fire: ${broken.map((s) => `${s.functionName} (${after.get(s.name)?.provisioningState ?? 'missing'})`).join(', ')}`);
  }
  console.log(`Event Grid: ${wanted.length} blob trigger subscriptions in place`);
}

// Run as the hook, not when a test imports the functions above.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) runHook('postdeploy', main);
