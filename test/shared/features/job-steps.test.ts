import { describe, expect, it } from 'vitest';
import { mergeTally, type JobTally } from '../../../shared/features/job-contract.js';
import { batchPartitions } from '../../../shared/features/materialize-job.js';
import type { Partition } from '../../../shared/features/ports.js';

const part = (date: string, n: number): Partition => ({ name: `v/date=${date}/p${n}.parquet`, location: `offline/v/date=${date}/p${n}.parquet`, date, archived: false, lastModified: new Date(0) });

describe('a materialization job\'s steps', () => {
  it('group dates newest first, never splitting a date, at most the batch size unless one date holds more', () => {
    const parts = [part('2026-11-01', 1), part('2026-11-03', 1), part('2026-11-03', 2), part('2026-11-02', 1), part('2026-11-05', 1), part('2026-11-05', 2), part('2026-11-05', 3), part('2026-11-04', 1)];
    expect(batchPartitions(parts, 2)).toEqual([
      // 2026-11-05 has three parts: a step of its own, over the batch size rather than split.
      { kind: 'partitions', from: '2026-11-05', to: '2026-11-05', count: 3 },
      { kind: 'partitions', from: '2026-11-04', to: '2026-11-04', count: 1 },
      { kind: 'partitions', from: '2026-11-03', to: '2026-11-03', count: 2 },
      { kind: 'partitions', from: '2026-11-01', to: '2026-11-02', count: 2 },
    ]);
    const steps = batchPartitions(parts, 8);
    expect(steps).toEqual([{ kind: 'partitions', from: '2026-11-01', to: '2026-11-05', count: 8 }]);
    expect(batchPartitions([], 8)).toEqual([]);
  });

  it('cover every partition once, whatever the batch size', () => {
    const parts = Array.from({ length: 30 }, (_, i) => part(`2026-10-${String(1 + (i % 17)).padStart(2, '0')}`, i));
    for (const size of [1, 2, 3, 5, 8, 100]) {
      const steps = batchPartitions(parts, size);
      expect(steps.reduce((sum, step) => sum + step.count, 0), `size ${size}`).toBe(30);
      // Each date falls in exactly one step's range.
      for (const date of new Set(parts.map((p) => p.date))) expect(steps.filter((s) => s.from <= date && date <= s.to), date).toHaveLength(1);
    }
  });
});

describe('job tallies', () => {
  it('add numbers and keep the latest time', () => {
    const tallies: JobTally[] = [
      { written: 2, older: 0, newestWrittenAt: '2026-11-02T00:00:00.000Z' },
      { written: 3, older: 4, newestWrittenAt: '2026-11-03T00:00:00.000Z', newestEvent: '2026-11-01T00:00:00.000Z' },
      { written: 0, older: 1, newestWrittenAt: '2026-11-01T00:00:00.000Z' },
    ];
    const merged = tallies.reduce(mergeTally, {});
    expect(merged).toEqual({ written: 5, older: 5, newestWrittenAt: '2026-11-03T00:00:00.000Z', newestEvent: '2026-11-01T00:00:00.000Z' });
  });
});
