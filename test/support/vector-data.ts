/**
 * Clustered synthetic vectors (Gaussian blobs around random centres), the shape real embeddings
 * have; uniform noise is HNSW's worst case and says little. Deterministic for a seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4_294_967_296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function clusteredVectors(count: number, dimension: number, options: { clusters?: number; spread?: number; seed?: number } = {}): number[][] {
  const random = seededRandom(options.seed ?? 42);
  const clusters = options.clusters ?? Math.max(8, Math.round(Math.sqrt(count) / 2));
  const spread = options.spread ?? 0.15;
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dimension }, () => gaussian(random)));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)] as number[];
    return centre.map((value) => Math.fround(value + spread * gaussian(random)));
  });
}

export type MetricName = 'cosine' | 'l2' | 'ip';

/** Exact top k ids by brute force, the ground truth for recall. */
export function bruteForce(metric: MetricName, data: ReadonlyArray<{ id: string; vector: number[] }>, query: number[], k: number): string[] {
  const qn = Math.sqrt(query.reduce((s, v) => s + v * v, 0));
  const scored = data.map(({ id, vector }) => {
    let dot = 0;
    let sq = 0;
    let n = 0;
    vector.forEach((v, i) => {
      const q = query[i] as number;
      dot += q * v;
      sq += (q - v) ** 2;
      n += v * v;
    });
    const score = metric === 'l2' ? -sq : metric === 'ip' ? dot : dot / (qn * Math.sqrt(n) || 1);
    return { id, score };
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, k).map((s) => s.id);
}

export function recallAt(truth: readonly string[], got: readonly string[]): number {
  const wanted = new Set(truth);
  return got.filter((id) => wanted.has(id)).length / truth.length;
}
