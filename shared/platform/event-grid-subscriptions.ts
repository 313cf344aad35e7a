import type { TokenCredential } from '@azure/identity';
import { appCredential } from './app-credential.js';
import { z } from 'zod';
import type { WatchedContainer } from './blob-triggers.js';
import { messageOf } from './errors.js';
import type { Settings } from './settings.js';

/**
 * Whether each blob trigger can fire. On Flex Consumption a blob trigger is an Event Grid
 * subscription on the storage account's system topic, made by the postdeploy hook; without it
 * the trigger never fires and nothing else says so. Read from Azure Resource Manager with the
 * app's identity (infra grants it EventGrid EventSubscription Reader on the topic).
 */
export type BlobTriggerHealth =
  | { source: 'polling' }
  | { source: 'EventGrid'; status: 'unknown'; error: string }
  | { source: 'EventGrid'; status: 'ok' | 'missing'; functions: Record<string, { container: string; subscription: string }> };

/** The name the postdeploy hook gives a function's subscription (infra/hooks/postdeploy.mjs; a test keeps them equal). */
export function subscriptionName(functionName: string): string {
  const name = functionName.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 64);
  return name.length >= 3 ? name : `${name}-fn`;
}

const subscriptionSchema = z.object({
  name: z.string(),
  properties: z
    .object({
      provisioningState: z.string().optional(),
      destination: z.object({ endpointType: z.string().optional() }).passthrough().optional(),
      filter: z.object({ subjectBeginsWith: z.string().nullish(), includedEventTypes: z.array(z.string()).nullish() }).passthrough().optional(),
    })
    .passthrough()
    .optional(),
});
const pageSchema = z.object({ value: z.array(subscriptionSchema), nextLink: z.string().url().nullish() });
export type EventSubscription = z.infer<typeof subscriptionSchema>;

/** `ok`, or what is wrong with the function's subscription, in words an operator can act on. */
export function subscriptionState(watched: WatchedContainer, subscriptions: readonly EventSubscription[]): string {
  const found = subscriptions.find((s) => s.name === subscriptionName(watched.functionName));
  if (!found) return 'missing: run `azd hooks run postdeploy`';
  const properties = found.properties ?? {};
  if (properties.provisioningState !== 'Succeeded') return `not provisioned (${properties.provisioningState ?? 'no state'})`;
  const prefix = `/blobServices/default/containers/${watched.container}/`;
  if (properties.filter?.subjectBeginsWith !== prefix) return `filters ${properties.filter?.subjectBeginsWith ?? 'nothing'}, not ${prefix}`;
  const types = properties.filter?.includedEventTypes;
  if (types && !types.includes('Microsoft.Storage.BlobCreated')) return 'does not include Microsoft.Storage.BlobCreated';
  return 'ok';
}

/** Listing more pages than this means the topic is not ours alone; the check says so instead of paging on. */
const maxPages = 10;
const timeoutMs = 2_000;

export interface ArmAccess {
  credential: TokenCredential;
  fetch: typeof fetch;
}

async function listSubscriptions(settings: Settings, access: ArmAccess): Promise<EventSubscription[]> {
  const endpoint = settings.ARBOR_ARM_ENDPOINT.replace(/\/+$/, '');
  const token = await access.credential.getToken(`${endpoint}/.default`, { abortSignal: AbortSignal.timeout(timeoutMs) });
  if (!token) throw new Error('no Entra token for Azure Resource Manager');
  const all: EventSubscription[] = [];
  let url: string | null | undefined = `${endpoint}${settings.ARBOR_BLOB_TRIGGER_TOPIC_ID}/eventSubscriptions?api-version=2025-02-15`;
  for (let page = 0; url; page++) {
    if (page === maxPages) throw new Error(`the topic lists more than ${maxPages} pages of subscriptions`);
    // Only follow links on the configured endpoint: the token must not travel anywhere else.
    if (!url.startsWith(`${endpoint}/`)) throw new Error(`Resource Manager sent a next page outside ${endpoint}`);
    const response = await access.fetch(url, { headers: { authorization: `Bearer ${token.token}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`Resource Manager answered ${response.status} listing ${settings.ARBOR_BLOB_TRIGGER_TOPIC_ID}`);
    const parsed = pageSchema.parse(await response.json());
    all.push(...parsed.value);
    url = parsed.nextLink;
  }
  return all;
}

export async function checkBlobTriggers(settings: Settings, watched: readonly WatchedContainer[], access: ArmAccess): Promise<BlobTriggerHealth> {
  if (settings.ARBOR_BLOB_TRIGGER_SOURCE !== 'EventGrid') return { source: 'polling' };
  if (!settings.ARBOR_BLOB_TRIGGER_TOPIC_ID) return { source: 'EventGrid', status: 'unknown', error: 'ARBOR_BLOB_TRIGGER_TOPIC_ID is not set, so the subscriptions cannot be checked' };
  let subscriptions: EventSubscription[];
  try {
    subscriptions = await listSubscriptions(settings, access);
  } catch (error) {
    return { source: 'EventGrid', status: 'unknown', error: messageOf(error) };
  }
  const functions = Object.fromEntries(watched.map((w) => [w.functionName, { container: w.container, subscription: subscriptionState(w, subscriptions) }]));
  const allOk = Object.values(functions).every((f) => f.subscription === 'ok');
  return { source: 'EventGrid', status: allOk ? 'ok' : 'missing', functions };
}

/**
 * The check as `/api/health` runs it: health is anonymous and Resource Manager throttles reads,
 * so one answer serves every caller for a minute.
 */
export function cachedBlobTriggerCheck(ttlMs = 60_000): (settings: Settings, watched: readonly WatchedContainer[]) => Promise<BlobTriggerHealth> {
  let cached: { at: number; result: Promise<BlobTriggerHealth> } | undefined;
  let access: ArmAccess | undefined;
  return (settings, watched) => {
    const now = Date.now();
    if (cached && now - cached.at < ttlMs) return cached.result;
    access ??= {
      credential: appCredential(settings),
      fetch,
    };
    const result = checkBlobTriggers(settings, watched, access);
    cached = { at: now, result };
    return result;
  };
}
