// The file dedupe store: answered task ids in memory (the LRU with TTL of the memory store) and in an
// append-only journal file, replayed at open, so a restart remembers them. One line per answer, one
// write() per task (no fsync: a process crash loses nothing, a power loss may lose the last lines).
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';

import { ERR_DEDUPE_STORE_OPEN, ERR_DEDUPE_UNAVAILABLE, reasonOf } from '../errors.js';
import { DedupeHealth } from './dedupe-health.js';
import type { ClaimResult, DedupeLimits, DedupeStore } from './dedupe-store.js';
import { MemoryDedupeStore } from './memory-dedupe-store.js';

export interface FileDedupeOptions extends DedupeLimits {
  /** `[dedupe] file`: relative to `dataDir` unless absolute. */
  readonly file: string;
  readonly dataDir: string;
  readonly log: LoggerV1;
  readonly now?: () => number;
}

/** A journal line: `<ms since the epoch> <task id>`; anything else (a line torn by a crash) is skipped. */
const LINE = /^(\d{1,15}) ([0-9A-Za-z-]{1,64})$/;

/** The journal is rewritten with only the live entries once it holds this many times maxEntries lines. */
const COMPACT_FACTOR = 2;

export class FileDedupeStore implements DedupeStore {
  readonly kind = 'file';
  readonly #health: DedupeHealth;
  readonly #answered: MemoryDedupeStore;
  #maxEntries: number;
  #fd = -1;
  #lines = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    opts: FileDedupeOptions,
    private readonly now = opts.now ?? Date.now,
  ) {
    this.#maxEntries = opts.maxEntries;
    this.#answered = new MemoryDedupeStore({ maxEntries: opts.maxEntries, ttlMs: opts.ttlMs, now });
    this.#health = new DedupeHealth('file', opts.log);
    const { lines, torn } = this.#replay();
    this.#lines = lines;
    if (this.#lines > COMPACT_FACTOR * this.#maxEntries) this.#compact();
    else {
      this.#fd = openSync(path, 'a', 0o600);
      if (torn) writeSync(this.#fd, '\n'); // a line torn by a crash is ended, not continued by the next one
    }
  }

  /** Open (creating the directory, mode 0700, and the file if missing); AGENT_ERR_DEDUPE_STORE_OPEN if it cannot. */
  static open(opts: FileDedupeOptions): FileDedupeStore {
    const path = isAbsolute(opts.file) ? opts.file : join(opts.dataDir, opts.file);
    let store: FileDedupeStore;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      store = new FileDedupeStore(path, opts);
    } catch (err) {
      throw new ERR_DEDUPE_STORE_OPEN(
        { store: 'file', location: path, reason: reasonOf(err) },
        { cause: err },
      );
    }
    opts.log.info({ file: path, entries: store.size }, 'dedupe store opened');
    return store;
  }

  get problem(): string | undefined {
    return this.#health.problem;
  }

  /** Answered ids remembered (within cache_size; expired ones until they are evicted). */
  get size(): number {
    return this.#answered.size;
  }

  claim(taskId: string): Promise<ClaimResult> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#answered.claim(taskId);
  }

  /** One line appended; the journal is compacted when it has grown to COMPACT_FACTOR × cache_size lines. */
  markAnswered(taskId: string): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const at = this.now();
    try {
      writeSync(this.#fd, `${at} ${taskId}\n`);
      this.#answered.record(taskId, at); // before a compaction, which keeps what memory holds
      if (++this.#lines > COMPACT_FACTOR * this.#maxEntries) this.#compact();
    } catch (err) {
      this.#health.fail(reasonOf(err));
      return Promise.reject(
        new ERR_DEDUPE_UNAVAILABLE({ store: 'file', reason: reasonOf(err) }, { cause: err }),
      );
    }
    this.#health.recover();
    return Promise.resolve();
  }

  /** Nothing to give up: claims are not recorded in a file (one process per file). */
  release(_taskId: string): Promise<void> {
    return Promise.resolve();
  }

  resize(limits: DedupeLimits): void {
    this.#maxEntries = limits.maxEntries;
    this.#answered.resize(limits);
  }

  onHealthChange(listener: () => void): void {
    this.#health.onChange(listener);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      closeSync(this.#fd);
    }
    return Promise.resolve();
  }

  /**
   * Load the journal into memory (oldest first, so the LRU order and cache_size hold); returns its
   * lines, and whether it ends in a torn line.
   */
  #replay(): { lines: number; torn: boolean } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: 0, torn: false };
      throw err;
    }
    let lines = 0;
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      lines++;
      this.#answered.record(m[2]!, Number(m[1]));
    }
    return { lines, torn: text.length > 0 && !text.endsWith('\n') };
  }

  /** Rewrite the journal with the live entries only: a new file renamed over the old (atomic), then appended to. */
  #compact(): void {
    const live = [...this.#answered.live()];
    const temp = `${this.path}.compact`;
    writeFileSync(temp, live.map(([id, at]) => `${at} ${id}\n`).join(''), { mode: 0o600 });
    renameSync(temp, this.path);
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#lines = live.length;
  }

  #closedError(): Error {
    return new ERR_DEDUPE_UNAVAILABLE({ store: 'file', reason: 'the store is closed' });
  }
}
