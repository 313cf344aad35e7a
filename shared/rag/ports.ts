/**
 * What RAG needs from models, as two small ports chosen by configuration: the local,
 * download-free implementations, or Azure OpenAI.
 */
export interface Embedder {
  readonly name: string;
  readonly dimension: number;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** A retrieved chunk as the answerer sees it: numbered as the prompt cites it. */
export interface Source {
  n: number;
  title: string;
  /** The heading path the chunk sits under, when it has one. */
  heading?: string;
  text: string;
}

export interface Answerer {
  readonly name: string;
  /**
   * The answer in pieces as it is produced; citations as [n], only of the sources it uses.
   * When the sources do not hold an answer: exactly `noAnswer`, with no citation.
   */
  answer(question: string, sources: readonly Source[]): AsyncIterable<string>;
}

/** Said when the sources do not support an answer, instead of guessing. */
export const noAnswer = 'I could not find an answer to that in the documents.';
