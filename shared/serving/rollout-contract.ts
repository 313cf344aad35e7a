import type { RolloutCommand, RolloutState } from './rollout-definitions.js';

/**
 * What the rollout orchestrator and its activities exchange. The orchestrator imports only
 * this and durable-functions, so it cannot reach I/O: every read and write (the rollout
 * record, the endpoint's weights, the metrics) happens in an activity, and the record in
 * Cosmos DB, not the orchestration, holds the rollout's position.
 */
export const rolloutOrchestratorNames = { rollout: 'serving-rollout' } as const;
export const rolloutActivityNames = {
  begin: 'serving-rollout-begin',
  check: 'serving-rollout-check',
  command: 'serving-rollout-command',
} as const;

/** The external event a control request raises. */
export const rolloutControlEvent = 'rollout-control';

export interface RolloutOrchestrationInput {
  rolloutId: string;
  endpoint: string;
  intervalSeconds: number;
}

export interface RolloutActivityRequest {
  rolloutId: string;
  endpoint: string;
}

export interface RolloutCommandRequest extends RolloutActivityRequest {
  command: RolloutCommand;
}

export interface RolloutControlSignal {
  command: RolloutCommand;
}

/** What every activity answers: where the rollout now stands. */
export interface RolloutStatus {
  state: RolloutState;
  weight: number;
}

export const isFinished = (state: RolloutState): boolean => state === 'promoted' || state === 'rolled_back' || state === 'aborted' || state === 'failed';
