/** Bounds how many activities run at once, as the extension's maxConcurrentActivityFunctions does. */
export class Semaphore {
  #available: number;
  #waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.#available = permits;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#available > 0) this.#available--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#available++;
    }
  }

  get queued(): number {
    return this.#waiting.length;
  }
}
