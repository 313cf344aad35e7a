import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HierarchicalNSW } from 'hnswlib-node';
import type { EngineHit, IndexParams, VectorEngine, VectorIndex } from '../engine.js';

type HnswlibNode = typeof import('hnswlib-node');

/**
 * hnswlib-node, compiled by node-gyp at install. Quirks: a CommonJS default export only, plain
 * arrays (not Float32Array) in and out, and files (not buffers) for save and load.
 */
export async function loadNativeEngine(): Promise<VectorEngine> {
  const imported = (await import('hnswlib-node')) as HnswlibNode & { default?: HnswlibNode };
  const lib = imported.default ?? imported;
  // Loading the addon is the real test: the JS loads even when the build failed.
  new lib.HierarchicalNSW('l2', 2).initIndex(1);

  const wrap = (index: HierarchicalNSW): VectorIndex => ({
    engine: 'native',
    add(vectors, labels) {
      vectors.forEach((vector, i) => index.addPoint(Array.from(vector), labels[i] as number));
    },
    markDelete(label) {
      index.markDelete(label);
    },
    search(query, k, ef, allow) {
      const live = index.getCurrentCount();
      if (live === 0) return [];
      index.setEf(Math.max(ef, k));
      const { neighbors, distances } = index.searchKnn(Array.from(query), Math.min(k, live), allow);
      return neighbors.map((label, i): EngineHit => ({ label, distance: distances[i] as number }));
    },
    capacity: () => index.getMaxElements(),
    resize(capacity) {
      index.resizeIndex(capacity);
    },
    async serialize() {
      return withTempFile(async (path) => {
        await index.writeIndex(path);
        return new Uint8Array(await readFile(path));
      });
    },
    dispose() {},
  });

  return {
    name: 'native',
    create(params: IndexParams) {
      const index = new lib.HierarchicalNSW(params.metric, params.dimension);
      index.initIndex({ maxElements: params.capacity, m: params.m, efConstruction: params.efConstruction, randomSeed: 100 });
      return wrap(index);
    },
    async load(params: IndexParams, bytes: Uint8Array) {
      const index = new lib.HierarchicalNSW(params.metric, params.dimension);
      await withTempFile(async (path) => {
        await writeFile(path, bytes);
        await index.readIndex(path);
      });
      if (index.getMaxElements() < params.capacity) index.resizeIndex(params.capacity);
      return wrap(index);
    },
  };
}

async function withTempFile<T>(use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'arbor-hnsw-'));
  try {
    return await use(join(dir, 'index.bin'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
