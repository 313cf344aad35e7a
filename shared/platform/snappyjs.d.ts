// snappyjs ships no types; Arbor uses its block compressor only (remote write's body encoding).
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
}
