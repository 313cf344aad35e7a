import type { operations } from '../../client/api-types.js';
import type { DemoNames } from './names.js';

const month = 30 * 86_400;

/** The feature store's definitions: two entities, the two online views the pipeline feeds, and the offline log of served traffic. */
export function featureDefinitions(names: DemoNames): operations['apply-feature-registry']['input']['body'] {
  return {
    entities: [
      { name: names.card, joinKeys: [{ name: 'card_id', type: 'int64' }] },
      { name: names.merchant, joinKeys: [{ name: 'merchant_id', type: 'int64' }] },
    ],
    featureViews: [
      {
        name: names.cardSpend,
        entity: names.card,
        ttlSeconds: month,
        online: true,
        features: [
          { name: 'spend_24h', type: 'float64' },
          { name: 'txns_24h', type: 'int64' },
          { name: 'spend_7d', type: 'float64' },
          { name: 'avg_amount_7d', type: 'float64' },
        ],
      },
      {
        name: names.merchantRisk,
        entity: names.merchant,
        ttlSeconds: month,
        online: true,
        features: [
          { name: 'txns_7d', type: 'int64' },
          { name: 'fraud_rate_7d', type: 'float64' },
        ],
      },
      {
        // What the endpoint was asked and answered, for the drift job (stage 5).
        name: names.traffic,
        entity: names.card,
        ttlSeconds: 0,
        online: false,
        features: [
          { name: 'amount', type: 'float64' },
          { name: 'channel', type: 'string' },
          { name: 'score', type: 'float64' },
          { name: 'is_fraud', type: 'bool' },
        ],
      },
    ],
  };
}
