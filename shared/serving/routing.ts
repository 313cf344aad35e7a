import { createHash, randomInt } from 'node:crypto';
import type { Variant } from './definitions.js';

/**
 * Which variant answers a request. Each variant owns a slice of [0, 100) by its weight, in the
 * order the endpoint lists them; a request falls at a point of that range: a hash of its
 * `requestKey` (so the same key always falls at the same point) or a random one. A key stays
 * on its variant for as long as the variant's slice still covers its point: list the candidate
 * last, and as its weight grows its slice only grows downwards, so keys already on it stay.
 */
export const routingResolution = 10_000;

/** Where a request key falls in [0, routingResolution). */
export function keyPoint(requestKey: string): number {
  return createHash('sha256').update(requestKey).digest().readUInt32BE(0) % routingResolution;
}

/** The variant whose slice holds `point` (in [0, routingResolution)); weights sum to 100. */
export function variantAt<V extends Pick<Variant, 'weight'>>(variants: readonly V[], point: number): V {
  let upper = 0;
  for (const variant of variants) {
    upper += variant.weight * (routingResolution / 100);
    if (point < upper) return variant;
  }
  // Unreachable when the weights sum to 100; the last variant with weight is the safe answer.
  return [...variants].reverse().find((variant) => variant.weight > 0) ?? (variants[variants.length - 1] as V);
}

export function chooseVariant<V extends Pick<Variant, 'weight'>>(variants: readonly V[], requestKey: string | undefined): V {
  return variantAt(variants, requestKey === undefined ? randomInt(routingResolution) : keyPoint(requestKey));
}

/** Whether a request is mirrored to the shadow: `percent` of keys (always the same keys), or of requests. */
export function mirrored(percent: number, requestKey: string | undefined): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  // A different hash than routing's, so the mirrored keys are not the keys of one variant.
  const point = requestKey === undefined ? randomInt(routingResolution) : keyPoint(`shadow:${requestKey}`);
  return point < percent * (routingResolution / 100);
}
