/** The p-th percentile (nearest rank) of an ascending list of samples; NaN for an empty list. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Sorted copy of a list of samples, ascending. */
export const ascending = (samples: readonly number[]): number[] => [...samples].sort((a, b) => a - b);

/** Runs `once` `times` times one after another; the time of each in ms, ascending. */
export async function timeEach(times: number, once: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await once(i);
    samples.push(performance.now() - started);
  }
  return ascending(samples);
}
