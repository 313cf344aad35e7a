import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subscriptionName, subscriptionState, type EventSubscription } from '../../../shared/platform/event-grid-subscriptions.js';

// The hook is plain JavaScript, run by azd before any build.
const hook = pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'infra', 'hooks', 'postdeploy.mjs')).href;
const { subscriptionName: hookSubscriptionName } = (await import(hook)) as { subscriptionName: (functionName: string) => string };

const landing = { functionName: 'catalog-landed-file', container: 'landing' };
const good: EventSubscription = {
  name: 'catalog-landed-file',
  properties: {
    provisioningState: 'Succeeded',
    destination: { endpointType: 'WebHook' },
    filter: { subjectBeginsWith: '/blobServices/default/containers/landing/', includedEventTypes: ['Microsoft.Storage.BlobCreated'] },
  },
};

describe('a blob trigger and its Event Grid subscription', () => {
  it('names subscriptions exactly as the postdeploy hook creates them', () => {
    for (const name of ['catalog-landed-file', 'ingest_feature_file', 'ab', 'x'.repeat(80)]) {
      expect(subscriptionName(name)).toBe(hookSubscriptionName(name));
    }
  });

  it('is ok only when the subscription exists, succeeded, and watches the trigger\'s container for created blobs', () => {
    expect(subscriptionState(landing, [good])).toBe('ok');
    expect(subscriptionState(landing, [])).toMatch(/^missing/);
    expect(subscriptionState(landing, [{ ...good, name: 'ingest-feature-file' }])).toMatch(/^missing/);
    expect(subscriptionState(landing, [{ ...good, properties: { ...good.properties, provisioningState: 'Failed' } }])).toBe('not provisioned (Failed)');
    expect(subscriptionState(landing, [{ ...good, properties: { ...good.properties, filter: { subjectBeginsWith: '/blobServices/default/containers/ingest/' } } }])).toBe(
      'filters /blobServices/default/containers/ingest/, not /blobServices/default/containers/landing/',
    );
    expect(subscriptionState(landing, [{ ...good, properties: { ...good.properties, filter: { subjectBeginsWith: '/blobServices/default/containers/landing/', includedEventTypes: ['Microsoft.Storage.BlobDeleted'] } } }])).toBe(
      'does not include Microsoft.Storage.BlobCreated',
    );
  });
});
