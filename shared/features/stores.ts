import type { Services } from '../platform/services.js';
import { BlobParquetOfflineStore } from './parquet-offline-store.js';
import type { FeatureStores } from './ports.js';
import { RedisOnlineStore } from './redis-online-store.js';

const built = new WeakMap<Services, FeatureStores>();

/**
 * The feature store's adapters for a set of platform services: Redis online, parquet in Blob
 * Storage offline. Built once per Services; the triggers (the composition root) hand them to
 * the feature core, which knows only the ports.
 */
export function featureStores(services: Services): FeatureStores {
  let stores = built.get(services);
  if (!stores) {
    stores = {
      online: new RedisOnlineStore(services.redis, services.settings.ARBOR_FEATURE_PROJECT, services.settings.ARBOR_FEATURE_STALE_GRACE_SECONDS),
      offline: new BlobParquetOfflineStore(services),
    };
    built.set(services, stores);
  }
  return stores;
}
