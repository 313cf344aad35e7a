/**
 * What the demo prints: a heading per stage, a line per thing it did, and each stage's time,
 * kept as well so the caller (the test, the summary) can read the timings.
 */
export interface Reporter {
  line(text: string): void;
  /** Runs one stage, printing its heading and, at its end, its wall time. */
  stage<T>(number: number, title: string, work: () => Promise<T>): Promise<T>;
  readonly timings: Array<{ stage: number; title: string; seconds: number }>;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const count = (n: number): string => n.toLocaleString('en-US');

export function reporter(write: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): Reporter {
  const timings: Reporter['timings'] = [];
  return {
    timings,
    line: (text) => write(`  ${text}`),
    async stage(number, title, work) {
      write(`\n[${number}/6] ${title}`);
      const started = Date.now();
      try {
        return await work();
      } finally {
        const took = Date.now() - started;
        timings.push({ stage: number, title, seconds: took / 1000 });
        write(`  -- stage ${number} took ${seconds(took)}`);
      }
    },
  };
}

/** Times one step inside a stage. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}
