/**
 * Values read from a store, served from memory on the request path. A copy younger than
 * `refreshMs` is served as it is; an older one is still served while one background read
 * replaces it, so a change made on another instance is seen within refreshMs plus one read. A
 * copy older than `maxStaleMs` (the reads failing) is not served: the caller waits for a read
 * and gets its error. A change made on this instance is put in with `set`, seen at once.
 */
export class RefreshingCache<V> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(
    private readonly options: {
      refreshMs: number;
      maxStaleMs: number;
      /** The most keys kept; the oldest read is dropped first. */
      maxEntries: number;
      now?: () => number;
    },
  ) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const now = this.#now();
    const current = this.#entries.get(key);
    if (current) {
      const age = now - current.at;
      if (age < this.options.refreshMs || !current.settled) return current.value;
      if (age < this.options.maxStaleMs) {
        if (!current.refreshing) {
          current.refreshing = true;
          const next = this.#entry(read());
          // A failed refresh leaves the served copy in place, to be tried again by the next request.
          next.value.then(
            () => {
              if (this.#entries.get(key) === current) this.#put(key, next);
            },
            () => (current.refreshing = false),
          );
        }
        return current.value;
      }
    }
    const entry = this.#entry(read());
    this.#put(key, entry);
    entry.value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.value;
  }

  /** A value this instance just wrote: served from now on. */
  set(key: string, value: V): void {
    const entry = this.#entry(Promise.resolve(value));
    entry.settled = true;
    this.#put(key, entry);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #put(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  #entry(value: Promise<V>): Entry<V> {
    const entry: Entry<V> = { at: this.#now(), value, settled: false, refreshing: false };
    value.then(
      () => (entry.settled = true),
      () => undefined,
    );
    return entry;
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }
}

interface Entry<V> {
  /** When the read that produced `value` started. */
  at: number;
  value: Promise<V>;
  settled: boolean;
  refreshing: boolean;
}
