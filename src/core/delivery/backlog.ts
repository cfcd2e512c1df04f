// Received messages the agent has no room for yet, oldest first: kept as they came in memory up to a
// byte budget (a short burst costs no disk write), beyond it in the spool (only its row id and its tag,
// e.g. the acknowledgement it is owed, stay in memory), or in memory when the spool cannot be used.
import type { InboundMessage } from '../transport/transport.js';
import type { Spool } from './spool.js';

/** What the backlog needs of a spool. */
export type SpoolStore = Pick<Spool, 'put' | 'take' | 'close'>;

type Entry<T> =
  | { readonly row: number; readonly tag: T }
  | { readonly row?: undefined; readonly msg: InboundMessage; readonly tag: T; readonly cost: number };

/** What an entry kept in memory costs beyond its payload (the entry, its topic, its tag's closure). */
const ENTRY_OVERHEAD_BYTES = 256;

/** Past this many taken entries (and half the array), the array is compacted. */
const COMPACT_AFTER = 1_024;

export class Backlog<T> {
  #entries: Array<Entry<T> | undefined> = [];
  /** Index of the oldest entry (taken ones before it are cleared). */
  #head = 0;
  #inMemory = 0;
  /** What the entries kept in memory cost, in bytes. */
  #memoryBytes = 0;

  /** `memoryBudget`: bytes of messages kept in memory before the spool is used. */
  constructor(
    private readonly spool: SpoolStore,
    private readonly memoryBudget: () => number = () => 0,
  ) {}

  /** Messages waiting, on disk and in memory. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Messages waiting in memory (within the budget, or the spool could not take them). */
  get inMemory(): number {
    return this.#inMemory;
  }

  /** Messages waiting in the spool file. */
  get spooled(): number {
    return this.size - this.#inMemory;
  }

  /** Add `msg` as the newest entry: in memory within the budget, else to the spool if it can take it, else in memory. */
  push(msg: InboundMessage, tag: T): void {
    const cost = msg.payload.length + msg.topic.length + ENTRY_OVERHEAD_BYTES;
    const row = this.#memoryBytes + cost <= this.memoryBudget() ? undefined : this.spool.put(msg);
    if (row === undefined) {
      this.#entries.push({ msg, tag, cost });
      this.#inMemory++;
      this.#memoryBytes += cost;
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
        this.#memoryBytes -= entry.cost;
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
    this.#memoryBytes = 0;
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
