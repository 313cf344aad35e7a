import { setTimeout as sleep } from 'node:timers/promises';
import { ArborError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import type { Faults } from './definitions.js';

/**
 * Fault injection on a variant, for tests and demos of rollbacks: added latency, and a share of
 * requests answered with a 500. Applied only while ARBOR_SERVING_ALLOW_FAULTS is true, so an
 * endpoint stored while it was on does nothing once it is turned off.
 */
export class InjectedFaultError extends ArborError {
  constructor(variant: string) {
    super(500, 'injected_fault', `variant "${variant}" failed on purpose (fault injection, ARBOR_SERVING_ALLOW_FAULTS)`, [{ field: 'variant', problem: `${variant} failed on purpose` }]);
  }
}

export async function applyFaults(services: Services, variant: string, faults: Faults | undefined, random: () => number = Math.random): Promise<void> {
  if (!faults || services.settings.ARBOR_SERVING_ALLOW_FAULTS !== 'true') return;
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (faults.errorRate > 0 && random() < faults.errorRate) throw new InjectedFaultError(variant);
}
