import { z } from 'zod';
import { defineStepType } from '../step-type.js';

/** Waits, and stops waiting when the step is aborted (its timeout passed). */
export const sleepStep = defineStepType({
  name: 'sleep',
  description: 'Waits `ms` milliseconds (at most 10 minutes); stops early, failing, when the step is aborted.',
  input: z.strictObject({ ms: z.int().min(0).max(600_000) }),
  run: (input, context) =>
    new Promise((resolve, reject) => {
      const { signal } = context;
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        // A long-lived signal would otherwise keep one listener per finished sleep.
        signal.removeEventListener('abort', onAbort);
        resolve({ sleptMs: input.ms });
      }, input.ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
});
