import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { servingName } from './definitions.js';
import { checkSchema, rolloutEventSchema, rolloutRequestSchema, rolloutStates } from './rollout-definitions.js';

/**
 * Rollouts (Cosmos DB, partitioned by endpoint): one document per rollout with every check and
 * event, and per endpoint at most one lock document `active` naming the rollout that runs. The
 * lock is created with a Cosmos create, so two requests racing to start a rollout on one
 * endpoint cannot both win (the loser gets 409); the rollout deletes it when it ends.
 */
export const servingRolloutsContainer: ContainerDefinition = { id: 'serving-rollouts', partitionKey: '/endpoint' };

const variantRef = z.object({ name: servingName, model: servingName, version: z.number().int().positive() });

const rolloutDocument = z.object({
  id: z.string(),
  kind: z.literal('rollout'),
  endpoint: servingName,
  state: z.enum(rolloutStates),
  request: rolloutRequestSchema,
  stable: variantRef,
  candidate: variantRef,
  stepIndex: z.number().int().min(0),
  /** The candidate's weight now. */
  weight: z.number().int().min(0).max(100),
  failures: z.number().int().min(0),
  checkCount: z.number().int().min(0),
  checks: z.array(checkSchema),
  events: z.array(rolloutEventSchema),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  endedAt: z.string().datetime().optional(),
  /** Why it ended, in words. */
  reason: z.string().optional(),
});

const lockDocument = z.object({ id: z.literal('active'), kind: z.literal('lock'), endpoint: servingName, rolloutId: z.string(), createdAt: z.string().datetime() });

const stored = z.discriminatedUnion('kind', [rolloutDocument, lockDocument]);
type Stored = z.output<typeof stored>;

export type Rollout = Omit<z.output<typeof rolloutDocument>, 'kind'>;
export type RolloutLock = z.output<typeof lockDocument>;

const documents = (services: Services) => cosmosRepository(services.cosmos, servingRolloutsContainer, stored);

const asRollout = (document: Stored | undefined): Rollout | undefined => {
  if (document?.kind !== 'rollout') return undefined;
  const { kind: _kind, ...rollout } = document;
  return rollout;
};

export async function readRollout(services: Services, endpoint: string, id: string): Promise<Rollout | undefined> {
  // A lock's id is not a rollout's.
  return id === 'active' ? undefined : asRollout(await documents(services).read(id, endpoint));
}

export async function writeRollout(services: Services, rollout: Rollout): Promise<void> {
  await documents(services).upsert({ kind: 'rollout', ...rollout });
}

/** Newest first, at most `limit`. */
export async function listRollouts(services: Services, endpoint: string, limit = 50): Promise<Rollout[]> {
  const found = await documents(services).firstPage(
    { query: "SELECT * FROM c WHERE c.kind = 'rollout' AND c.endpoint = @endpoint ORDER BY c.createdAt DESC", parameters: [{ name: '@endpoint', value: endpoint }] },
    { partitionKey: endpoint, maxItemCount: limit },
  );
  return found.flatMap((document) => asRollout(document) ?? []);
}

/** Takes the endpoint's one rollout slot; the lock that holds it when taken already. */
export async function takeLock(services: Services, endpoint: string, rolloutId: string, now: Date): Promise<RolloutLock | undefined> {
  try {
    await documents(services).create({ id: 'active', kind: 'lock', endpoint, rolloutId, createdAt: now.toISOString() });
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 409) throw error;
    const holder = await documents(services).read('active', endpoint);
    return holder?.kind === 'lock' ? holder : { id: 'active', kind: 'lock', endpoint, rolloutId: '(unknown)', createdAt: now.toISOString() };
  }
}

/** Frees the slot, if this rollout holds it. */
export async function releaseLock(services: Services, endpoint: string, rolloutId: string): Promise<void> {
  const holder = await documents(services).read('active', endpoint);
  if (holder?.kind === 'lock' && holder.rolloutId === rolloutId) await documents(services).delete('active', endpoint);
}

/** The rollout holding the endpoint's slot, if any. */
export async function activeRolloutId(services: Services, endpoint: string): Promise<string | undefined> {
  const holder = await documents(services).read('active', endpoint);
  return holder?.kind === 'lock' ? holder.rolloutId : undefined;
}
