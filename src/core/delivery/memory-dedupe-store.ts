// The in-process dedupe store [FR-010]: an LRU with TTL of answered task ids; forgotten on restart.
import type { ClaimResult, DedupeLimits, DedupeStore } from './dedupe-store.js';

export interface MemoryDedupeOptions extends DedupeLimits {
  readonly now?: () => number;
}

const RUN: ClaimResult = Object.freeze({ kind: 'run' });
const ANSWERED: ClaimResult = Object.freeze({ kind: 'answered' });

/**
 * Map insertion order is the LRU order (a duplicate hit moves an id to the end); expired entries
 * count as new. Never says 'held': tasks running in this process are tracked by the intake.
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly kind = 'memory';
  readonly problem = undefined;
  readonly #answered = new Map<string, number>();
  #max: number;
  #ttl: number;
  readonly #now: () => number;

  constructor(opts: MemoryDedupeOptions) {
    this.#max = opts.maxEntries;
    this.#ttl = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#answered.size;
  }

  /** Synchronous core of claim(): true if `taskId` was answered within the TTL (and refresh its recency). */
  isAnswered(taskId: string): boolean {
    const at = this.#answered.get(taskId);
    if (at === undefined) return false;
    this.#answered.delete(taskId);
    if (this.#now() - at >= this.#ttl) return false;
    this.#answered.set(taskId, at); // recency refreshed, the TTL not extended
    return true;
  }

  /** Synchronous core of markAnswered(); `at` (default now) when replaying a journal. */
  record(taskId: string, at: number = this.#now()): void {
    this.#answered.delete(taskId);
    this.#answered.set(taskId, at);
    if (this.#answered.size > this.#max) this.#evictOldest();
  }

  /** The ids answered within the TTL with when, oldest first. */
  *live(): Generator<[taskId: string, at: number]> {
    const now = this.#now();
    for (const entry of this.#answered) if (now - entry[1] < this.#ttl) yield entry;
  }

  claim(taskId: string): Promise<ClaimResult> {
    return Promise.resolve(this.isAnswered(taskId) ? ANSWERED : RUN);
  }

  markAnswered(taskId: string): Promise<void> {
    this.record(taskId);
    return Promise.resolve();
  }

  /** Nothing to give up: claims are not recorded here. */
  release(_taskId: string): Promise<void> {
    return Promise.resolve();
  }

  /** New limits (a config reload): the oldest entries beyond `maxEntries` are dropped now. */
  resize(limits: DedupeLimits): void {
    this.#max = limits.maxEntries;
    this.#ttl = limits.ttlMs;
    for (const id of this.#answered.keys()) {
      if (this.#answered.size <= this.#max) break;
      this.#answered.delete(id);
    }
  }

  /** Never unusable: nothing to tell. */
  onHealthChange(_listener: () => void): void {}

  close(): Promise<void> {
    return Promise.resolve();
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
      this.#order = this.#answered.keys();
      next = this.#order.next();
    }
    if (next.done !== true) this.#answered.delete(next.value);
  }
}
