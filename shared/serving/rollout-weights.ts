import type { Services } from '../platform/services.js';
import type { Variant } from './definitions.js';
import { putEndpoint, requireEndpoint } from './endpoints.js';
import type { Rollout } from './rollout-store.js';

/**
 * How a rollout moves an endpoint's traffic. The candidate is listed last and the stable just
 * before it, so the candidate's slice of the routing range grows downwards into the stable's:
 * a request key on the candidate stays there as its weight grows, and a key on the stable stays
 * there while its point is below the boundary (routing.ts). Other variants keep weight 0.
 */
export class EndpointChangedError extends Error {}

function ordered(variants: readonly Variant[], rollout: Rollout, candidateWeight: number): Variant[] {
  const stable = variants.find((v) => v.name === rollout.stable.name);
  const candidate = variants.find((v) => v.name === rollout.candidate.name);
  const matches = (variant: Variant | undefined, ref: Rollout['stable']) => variant && variant.model === ref.model && variant.version === ref.version;
  if (!matches(stable, rollout.stable) || !matches(candidate, rollout.candidate)) {
    throw new EndpointChangedError(`the endpoint no longer has variants "${rollout.stable.name}" (${rollout.stable.model} v${rollout.stable.version}) and "${rollout.candidate.name}" (${rollout.candidate.model} v${rollout.candidate.version}): it was changed during the rollout`);
  }
  const others = variants.filter((v) => v !== stable && v !== candidate).map((v) => ({ ...v, weight: 0 }));
  return [...others, { ...(stable as Variant), weight: 100 - candidateWeight }, { ...(candidate as Variant), weight: candidateWeight }];
}

/** The first step: the candidate joins the endpoint at `weight` (replacing a weight-0 variant of its name). */
export async function addCandidate(services: Services, rollout: Rollout, weight: number, now: Date): Promise<void> {
  const endpoint = await requireEndpoint(services, rollout.endpoint, { fresh: true });
  const already = endpoint.variants.find((v) => v.name === rollout.candidate.name);
  if (already && already.model === rollout.candidate.model && already.version === rollout.candidate.version && already.weight === weight) return;
  const faults = rollout.request.candidate.faults;
  const candidate: Variant = { name: rollout.candidate.name, model: rollout.candidate.model, version: rollout.candidate.version, weight: 0, ...(faults ? { faults } : {}) };
  const variants = [...endpoint.variants.filter((v) => v.name !== rollout.candidate.name), candidate];
  await putEndpoint(services, rollout.endpoint, { variants: ordered(variants, rollout, weight), ...(endpoint.shadow ? { shadow: endpoint.shadow } : {}), ...(endpoint.description === undefined ? {} : { description: endpoint.description }) }, now);
}

/** Moves the candidate to `weight` (0 rolls back at once: every request is the stable's). */
export async function setCandidateWeight(services: Services, rollout: Rollout, weight: number, now: Date): Promise<void> {
  const endpoint = await requireEndpoint(services, rollout.endpoint, { fresh: true });
  const variants = ordered(endpoint.variants, rollout, weight);
  const unchanged = variants.every((v) => endpoint.variants.find((e) => e.name === v.name)?.weight === v.weight);
  if (unchanged) return;
  await putEndpoint(services, rollout.endpoint, { variants, ...(endpoint.shadow ? { shadow: endpoint.shadow } : {}), ...(endpoint.description === undefined ? {} : { description: endpoint.description }) }, now);
}

/**
 * Promotion, as Flagger finishes one: the stable variant takes the candidate's version (and
 * faults) at weight 100 and the candidate variant is removed, so the endpoint is ready for the
 * next rollout under the same names. Every request goes to the promoted version either way.
 */
export async function promoteCandidate(services: Services, rollout: Rollout, now: Date): Promise<void> {
  const endpoint = await requireEndpoint(services, rollout.endpoint, { fresh: true });
  const stable = endpoint.variants.find((v) => v.name === rollout.stable.name);
  const candidate = endpoint.variants.find((v) => v.name === rollout.candidate.name);
  if (!candidate && stable && stable.model === rollout.candidate.model && stable.version === rollout.candidate.version) return;
  ordered(endpoint.variants, rollout, 100);
  const promoted: Variant = { ...(candidate as Variant), name: rollout.stable.name, weight: 100 };
  const variants = endpoint.variants.filter((v) => v.name !== rollout.candidate.name).map((v) => (v.name === rollout.stable.name ? promoted : { ...v, weight: 0 }));
  await putEndpoint(services, rollout.endpoint, { variants, ...(endpoint.shadow ? { shadow: endpoint.shadow } : {}), ...(endpoint.description === undefined ? {} : { description: endpoint.description }) }, now);
}
