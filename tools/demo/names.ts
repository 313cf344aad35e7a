import { randomBytes } from 'node:crypto';

/**
 * Every name one demo run creates, tagged so that runs against the same platform (a developer's
 * `npm start`, run twice) never meet: registry names are global, and a second run must not
 * find the first one's endpoint mid-rollout or its views with other rows.
 */
export interface DemoNames {
  tag: string;
  dataset: string;
  etl: string;
  card: string;
  merchant: string;
  cardSpend: string;
  merchantRisk: string;
  traffic: string;
  training: string;
  model: string;
  endpoint: string;
  drift: string;
  /** The RAG collection; the same every run, so the runbooks are stored once (re-sent, they are unchanged). */
  runbooks: string;
}

export function demoNames(tag = randomBytes(2).toString('hex')): DemoNames {
  return {
    tag,
    dataset: `card-tx-${tag}`,
    etl: `fraud-etl-${tag}`,
    card: `card_${tag}`,
    merchant: `merchant_${tag}`,
    cardSpend: `card_spend_${tag}`,
    merchantRisk: `merchant_risk_${tag}`,
    traffic: `fraud_traffic_${tag}`,
    training: `fraud-train-${tag}`,
    model: `fraud-${tag}`,
    endpoint: `fraud-${tag}`,
    drift: `fraud-drift-${tag}`,
    runbooks: 'fraud-runbooks',
  };
}
