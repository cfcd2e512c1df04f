// Received messages the agent has no room for yet, oldest first: each in the spool (only its row id
// and its tag, e.g. the acknowledgement it is owed, stay in memory), or kept in memory when the spool
// cannot be used.
import type { InboundMessage } from '../transport/transport.js';
import type { Spool } from './spool.js';

/** What the backlog needs of a spool. */
export type SpoolStore = Pick<Spool, 'put' | 'take' | 'close'>;

type Entry<T> =
  | { readonly row: number; readonly tag: T }
  | { readonly row?: undefined; readonly msg: InboundMessage; readonly tag: T };

/** Past this many taken entries (and half the array), the array is compacted. */
const COMPACT_AFTER = 1_024;

export class Backlog<T> {
  #entries: Array<Entry<T> | undefined> = [];
  /** Index of the oldest entry (taken ones before it are cleared). */
  #head = 0;
  #inMemory = 0;

  constructor(private readonly spool: SpoolStore) {}

  /** Messages waiting, on disk and in memory. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Messages waiting in memory (the spool could not take them). */
  get inMemory(): number {
    return this.#inMemory;
  }

  /** Messages waiting in the spool file. */
  get spooled(): number {
    return this.size - this.#inMemory;
  }

  /** Add `msg` as the newest entry: to the spool if it can take it, else in memory. */
  push(msg: InboundMessage, tag: T): void {
    const row = this.spool.put(msg);
    if (row === undefined) {
      this.#entries.push({ msg, tag });
      this.#inMemory++;
    } else this.#entries.push({ row, tag });
  }

  /**
   * The oldest message and its tag, removed; undefined when none is left. A spooled message that cannot
   * be read back is skipped (the spool logs it): it stays unacknowledged for the broker to redeliver.
   */
  shift(): { msg: InboundMessage; tag: T } | undefined {
    while (this.size > 0) {
      const entry = this.#entries[this.#head];
      this.#entries[this.#head++] = undefined;
      this.#compact();
      if (!entry) continue;
      if (entry.row === undefined) {
        this.#inMemory--;
        return { msg: entry.msg, tag: entry.tag };
      }
      const msg = this.spool.take(entry.row);
      if (msg) return { msg, tag: entry.tag };
    }
    return undefined;
  }

  /** Forget every entry and close the spool (its file is deleted); returns how many were dropped. */
  close(): number {
    const dropped = this.size;
    this.#entries = [];
    this.#head = 0;
    this.#inMemory = 0;
    this.spool.close();
    return dropped;
  }

  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
