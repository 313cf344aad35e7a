/**
 * mulberry32: a small seeded generator of 32-bit unsigned integers, the same sequence for a seed
 * on every machine. Callers turn its draws into the doubles they need (one draw for 32 random
 * bits, two for 53).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
