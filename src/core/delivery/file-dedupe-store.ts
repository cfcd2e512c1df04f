// The file dedupe store: answered task ids in a local SQLite file (better-sqlite3), so a restart remembers them.
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import Database from 'better-sqlite3';

import { ERR_DEDUPE_STORE_OPEN, ERR_DEDUPE_UNAVAILABLE, reasonOf } from '../errors.js';
import { DedupeHealth } from './dedupe-health.js';
import type { ClaimResult, DedupeLimits, DedupeStore } from './dedupe-store.js';

export interface FileDedupeOptions extends DedupeLimits {
  /** `[dedupe] file`: relative to `dataDir` unless absolute. */
  readonly file: string;
  readonly dataDir: string;
  readonly log: LoggerV1;
  /** Prune (TTL, then size) after this many answers; the table may exceed maxEntries by this much. */
  readonly pruneEvery?: number;
  readonly now?: () => number;
}

const DEFAULT_PRUNE_EVERY = 500;
const RUN: ClaimResult = Object.freeze({ kind: 'run' });
const ANSWERED: ClaimResult = Object.freeze({ kind: 'answered' });

/** How often the WAL is copied back into the database file, off the per-task path. */
const CHECKPOINT_EVERY_MS = 1_000;

// WITHOUT ROWID: the task id is the table's own key, so an insert updates two b-trees (the table and
// the `at` index) instead of three.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS answered (task_id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS answered_at ON answered (at);
`;

interface Statements {
  readonly answeredAt: Database.Statement<[string], number>;
  readonly put: Database.Statement<[string, number]>;
  readonly pruneExpired: Database.Statement<[number]>;
  readonly pruneOldest: Database.Statement<[number]>;
  readonly count: Database.Statement<[], number>;
}

/** The database at `path` with WAL, synchronous=NORMAL and the table; any failure is thrown as is. */
function openDatabase(path: string): { db: Database.Database; statements: Statements } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, { timeout: 5_000 });
  try {
    db.pragma('journal_mode = WAL'); // a file that is not a database fails here (SQLITE_NOTADB)
    db.pragma('synchronous = NORMAL');
    // Checkpoints run on a timer (FileDedupeStore), not inside whichever insert fills 1000 WAL pages.
    db.pragma('wal_autocheckpoint = 0');
    db.exec(SCHEMA);
    const statements: Statements = {
      answeredAt: db.prepare<[string], number>('SELECT at FROM answered WHERE task_id = ?').pluck(),
      put: db.prepare('INSERT OR REPLACE INTO answered (task_id, at) VALUES (?, ?)'),
      pruneExpired: db.prepare('DELETE FROM answered WHERE at <= ?'),
      pruneOldest: db.prepare(
        'DELETE FROM answered WHERE task_id IN (SELECT task_id FROM answered ORDER BY at DESC LIMIT -1 OFFSET ?)',
      ),
      count: db.prepare<[], number>('SELECT count(*) FROM answered').pluck(),
    };
    return { db, statements };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * One row per answered id. claim() is one indexed read; markAnswered() one write (WAL, not fsynced per
 * commit: a power loss may forget the last answers, a process crash does not). Pruning is batched.
 */
export class FileDedupeStore implements DedupeStore {
  readonly kind = 'file';
  readonly #health: DedupeHealth;
  #limits: DedupeLimits;
  #writes = 0;
  #closed = false;
  #checkpoints: NodeJS.Timeout | undefined;
  /** Written since the last checkpoint. */
  #dirty = false;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly sql: Statements,
    opts: FileDedupeOptions,
    private readonly pruneEvery = opts.pruneEvery ?? DEFAULT_PRUNE_EVERY,
    private readonly now = opts.now ?? Date.now,
  ) {
    this.#limits = { maxEntries: opts.maxEntries, ttlMs: opts.ttlMs };
    this.#health = new DedupeHealth('file', opts.log);
  }

  /** Open (creating the directory, mode 0700, and the file if missing); AGENT_ERR_DEDUPE_STORE_OPEN if it cannot. */
  static open(opts: FileDedupeOptions): FileDedupeStore {
    const path = isAbsolute(opts.file) ? opts.file : join(opts.dataDir, opts.file);
    let opened: ReturnType<typeof openDatabase> | undefined;
    let store: FileDedupeStore;
    try {
      opened = openDatabase(path);
      store = new FileDedupeStore(path, opened.db, opened.statements, opts);
      store.#prune(); // also proves the file writable (a read-only file opens, then fails here)
    } catch (err) {
      opened?.db.close();
      throw new ERR_DEDUPE_STORE_OPEN(
        { store: 'file', location: path, reason: reasonOf(err) },
        { cause: err },
      );
    }
    opts.log.info({ file: path, entries: store.size }, 'dedupe store opened');
    store.#checkpoints = setInterval(() => store.#checkpoint('PASSIVE'), CHECKPOINT_EVERY_MS).unref();
    return store;
  }

  get problem(): string | undefined {
    return this.#health.problem;
  }

  /** Rows in the table (answered ids not pruned yet, including expired ones). */
  get size(): number {
    return this.#use(() => this.sql.count.get() ?? 0);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async; SQLite answers synchronously
  async claim(taskId: string): Promise<ClaimResult> {
    return this.#use(() => {
      const at = this.sql.answeredAt.get(taskId);
      return at !== undefined && this.now() - at < this.#limits.ttlMs ? ANSWERED : RUN;
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as claim()
  async markAnswered(taskId: string): Promise<void> {
    this.#use(() => {
      this.sql.put.run(taskId, this.now());
      this.#dirty = true;
      if (++this.#writes >= this.pruneEvery) this.#prune();
    });
  }

  /** Nothing to give up: claims are not recorded in a file (one process per file). */
  release(_taskId: string): Promise<void> {
    return Promise.resolve();
  }

  resize(limits: DedupeLimits): void {
    this.#limits = { maxEntries: limits.maxEntries, ttlMs: limits.ttlMs };
    if (this.#closed) return;
    try {
      this.#use(() => this.#prune());
    } catch {
      // reported through `problem`; the next write prunes again
    }
  }

  onHealthChange(listener: () => void): void {
    this.#health.onChange(listener);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      clearInterval(this.#checkpoints);
      this.#checkpoint('TRUNCATE');
      this.#closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  /** Copy the WAL back into the database; a failure is reported through `problem`, the next one retries. */
  #checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
    if (this.#closed || !this.#dirty) return;
    try {
      this.#use(() => this.db.pragma(`wal_checkpoint(${mode})`));
      this.#dirty = false;
    } catch {
      // `problem` says so
    }
  }

  /** Drop expired rows, then the oldest beyond maxEntries: two indexed deletes in one transaction. */
  #prune(): void {
    this.#writes = 0;
    this.#dirty = true;
    this.db.transaction(() => {
      this.sql.pruneExpired.run(this.now() - this.#limits.ttlMs);
      this.sql.pruneOldest.run(this.#limits.maxEntries);
    })();
  }

  /** Run `fn` on the open database; a failure sets `problem` and is thrown as AGENT_ERR_DEDUPE_UNAVAILABLE. */
  #use<T>(fn: () => T): T {
    if (this.#closed) throw new ERR_DEDUPE_UNAVAILABLE({ store: 'file', reason: 'the store is closed' });
    let result: T;
    try {
      result = fn();
    } catch (err) {
      const reason = reasonOf(err);
      this.#health.fail(reason);
      throw new ERR_DEDUPE_UNAVAILABLE({ store: 'file', reason }, { cause: err });
    }
    this.#health.recover();
    return result;
  }
}
