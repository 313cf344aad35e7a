import type { Services } from '../../shared/platform/services.js';
import type { StepContext } from '../../shared/pipelines/step-type.js';
import type { BlobRef } from '../../shared/storage/blob-files.js';

/** A step's context for calling a step type directly, collecting the lineage it records. */
export function recordingStepContext(
  services: Services,
  runId: string,
  stepId: string,
  signal: AbortSignal = new AbortController().signal,
): { context: StepContext; lineage: { read: BlobRef[]; wrote: BlobRef[] } } {
  const lineage = { read: [] as BlobRef[], wrote: [] as BlobRef[] };
  const context: StepContext = {
    services,
    runId,
    stepId,
    attempt: 1,
    signal,
    lineage: { read: (blob) => void lineage.read.push(blob), wrote: (blob) => void lineage.wrote.push(blob) },
  };
  return { context, lineage };
}
