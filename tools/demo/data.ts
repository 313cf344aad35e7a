import { seeded, sigmoid, type Random } from './random.js';

/**
 * The fraud data set: cards with their usual spend, merchants of which a few are risky, and
 * transactions whose fraud label follows a known model (a risky merchant, an amount far above
 * the card's usual). The features the pipeline computes (merchant fraud rate, a card's
 * average spend) carry that signal, so a model that reads them beats one that does not.
 */
export interface World {
  cards: number;
  merchants: number;
  /** Per merchant (index = id - 1): 1 when risky. */
  risky: Uint8Array;
  /** Per card (index = id - 1): its usual amount. */
  usual: Float64Array;
  /** When the data set's transactions end: they span the `days` before it. */
  now: number;
  days: number;
}

export interface Transaction {
  txId: number;
  cardId: number;
  merchantId: number;
  ts: number;
  amount: number;
  channel: 'pos' | 'web' | 'app';
  fraud: boolean;
}

const day = 86_400_000;

export function makeWorld(rows: number, seed: number, now = Date.now()): World {
  const random = seeded(seed);
  const cards = Math.min(100_000, Math.max(50, Math.round(rows / 20)));
  const merchants = Math.min(2_500, Math.max(20, Math.round(rows / 400)));
  const risky = new Uint8Array(merchants).map(() => (random.uniform() < 0.08 ? 1 : 0));
  const usual = new Float64Array(cards).map(() => Math.exp(random.normal(3.3, 0.6)));
  // The data set ends at today's midnight (UTC): every event time is in the past, and the days
  // the pipeline groups by fall the same way on every run, so a seed gives the same features,
  // training set and fitted models whenever it runs.
  // About 36,000 transactions a day, over one to four weeks: a small data set spans few daily
  // partitions, so the short form's materialization reads them in one call instead of a job.
  const days = Math.min(28, Math.max(7, Math.round(rows / 36_000)));
  return { cards, merchants, risky, usual, now: Math.floor(now / day) * day, days };
}

/** Popular merchants take more transactions: a square skews the pick towards low ids. */
function pickMerchant(world: World, random: Random, riskyShare?: number): number {
  if (riskyShare !== undefined && random.uniform() < riskyShare) {
    for (let tries = 0; tries < 100; tries++) {
      const id = 1 + random.below(world.merchants);
      if (world.risky[id - 1]) return id;
    }
  }
  return 1 + Math.floor(random.uniform() ** 2 * world.merchants);
}

function channelOf(random: Random): Transaction['channel'] {
  const u = random.uniform();
  return u < 0.55 ? 'pos' : u < 0.85 ? 'web' : 'app';
}

/** One transaction. `shift` is the changed world of stage 5: larger amounts, more risky merchants. */
export function transaction(world: World, random: Random, txId: number, ts: number, shift?: { amountScale: number; riskyShare: number }): Transaction {
  const cardId = 1 + random.below(world.cards);
  const merchantId = pickMerchant(world, random, shift?.riskyShare);
  const usual = world.usual[cardId - 1] ?? 30;
  const amount = Math.round(usual * Math.exp(random.normal(0, 0.5)) * (shift?.amountScale ?? 1) * 100) / 100;
  const p = sigmoid(-5 + 2.8 * (world.risky[merchantId - 1] ?? 0) + 1.6 * Math.log(amount / usual));
  return { txId, cardId, merchantId, ts, amount, channel: channelOf(random), fraud: random.uniform() < p };
}

export const csvHeader = 'tx_id,card_id,merchant_id,ts,amount,is_fraud';

/**
 * The raw files, `parts` CSV texts of about equal size. About one row in 2,000 is a reversal
 * (a negative amount) that the pipeline's cleaning step drops, as raw feeds have.
 */
export function* rawCsvParts(world: World, rows: number, seed: number, rowsPerPart: number): Generator<{ text: string; rows: number; reversals: number }> {
  const random = seeded(seed ^ 0x5eed);
  for (let start = 0; start < rows; start += rowsPerPart) {
    const end = Math.min(rows, start + rowsPerPart);
    const lines = [csvHeader];
    let reversals = 0;
    for (let i = start; i < end; i++) {
      const ts = world.now - Math.floor(random.uniform() * world.days * day / 1000) * 1000;
      const tx = transaction(world, random, i + 1, ts);
      const reversal = random.uniform() < 0.0005;
      if (reversal) reversals++;
      lines.push(`${tx.txId},${tx.cardId},${tx.merchantId},${new Date(tx.ts).toISOString()},${reversal ? -tx.amount : tx.amount},${tx.fraud ? 1 : 0}`);
    }
    yield { text: `${lines.join('\n')}\n`, rows: end - start, reversals };
  }
}
