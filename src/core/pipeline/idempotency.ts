// Duplicate task_id detection [FR-010]: an LRU with TTL behind a small async-capable interface.

export interface IdempotencyStore {
  /**
   * Record `taskId`; true if it was new, false if it was already seen (a duplicate). The intake claims
   * only UUID-form ids (36 characters, docs/protocol.md §3.1), never the raw string of an unvalidated envelope.
   */
  claim(taskId: string): boolean | Promise<boolean>;
}

export interface LruTtlOptions {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}

/** In-process store: Map insertion order is the LRU order; expired entries count as new. */
export class LruTtlIdempotencyStore implements IdempotencyStore {
  readonly #seen = new Map<string, number>();
  #max: number;
  #ttl: number;
  readonly #now: () => number;

  constructor(opts: LruTtlOptions) {
    this.#max = opts.maxEntries;
    this.#ttl = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  /** New limits (a config reload): the oldest entries beyond `maxEntries` are dropped now. */
  resize(opts: Pick<LruTtlOptions, 'maxEntries' | 'ttlMs'>): void {
    this.#max = opts.maxEntries;
    this.#ttl = opts.ttlMs;
    for (const id of this.#seen.keys()) {
      if (this.#seen.size <= this.#max) break;
      this.#seen.delete(id);
    }
  }

  get size(): number {
    return this.#seen.size;
  }

  claim(taskId: string): boolean {
    const now = this.#now();
    const seenAt = this.#seen.get(taskId);
    if (seenAt !== undefined) {
      this.#seen.delete(taskId);
      if (now - seenAt < this.#ttl) {
        this.#seen.set(taskId, seenAt);
        return false;
      }
    }
    this.#seen.set(taskId, now);
    if (this.#seen.size > this.#max) this.#evictOldest();
    return true;
  }

  /**
   * One iterator over the ids in insertion order, kept between evictions: everything before its
   * position has been evicted, so its next id is the oldest. (A new `keys()` iterator each time
   * would first step over every deleted slot the Map has not compacted yet: microseconds per task.)
   */
  #order?: Iterator<string>;

  #evictOldest(): void {
    let next = this.#order?.next();
    if (next === undefined || next.done === true) {
      this.#order = this.#seen.keys();
      next = this.#order.next();
    }
    if (next.done !== true) this.#seen.delete(next.value);
  }
}
