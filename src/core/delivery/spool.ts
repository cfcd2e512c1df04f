// The task spool (docs/scaling.md): received messages the agent has no room for yet, kept in a local
// SQLite file instead of the heap. They stay unacknowledged, so the file needs no durability: it is
// emptied when opened, deleted at shutdown, and a crash loses nothing (the broker redelivers them).
import { openSync, closeSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import Database from 'better-sqlite3';

import { ERR_SPOOL_UNAVAILABLE, reasonOf } from '../errors.js';
import type { InboundMessage } from '../transport/transport.js';

/** The spool file, in the agent's data dir. */
const SPOOL_FILE = 'spool.sqlite';

/** The spool file's name: one per replica, since replicas on one host may share a data dir. */
export function spoolFileName(replicaId: string | undefined): string {
  return replicaId === undefined ? SPOOL_FILE : `spool-${replicaId}.sqlite`;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS spool (
    id INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL
  );
  DELETE FROM spool;
`;

interface Row {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: number;
}

interface Opened {
  readonly db: Database.Database;
  readonly put: Database.Statement<[string, Buffer, number]>;
  readonly take: Database.Statement<[number], Row>;
}

/** True for SQLite's "another connection holds the lock" (here: another live process uses the file). */
const isBusy = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && String(err.code).startsWith('SQLITE_BUSY');

/** Remove the spool file and its companions (a missing one is fine). */
function removeFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
}

/**
 * Open `path` for this process alone (exclusive lock: a second agent on the same data dir fails with
 * SQLITE_BUSY instead of emptying a live spool), WAL, no fsync, the table emptied.
 */
function openFile(path: string): Opened {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600)); // payloads are private: SQLite gives its companions this mode too
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL'); // a file that is not a database fails here (SQLITE_NOTADB)
    db.pragma('synchronous = OFF');
    db.exec(SCHEMA);
    return {
      db,
      put: db.prepare('INSERT INTO spool (topic, payload, retain) VALUES (?, ?, ?)'),
      take: db.prepare<[number], Row>('DELETE FROM spool WHERE id = ? RETURNING topic, payload, retain'),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Raw messages by row id, in a file opened on the first put(). When the file cannot be used, put()
 * answers undefined (the caller keeps the message in memory) and warns once with AGENT_ERR_SPOOL_UNAVAILABLE
 * per run of failures.
 */
export class Spool {
  #opened: Opened | undefined;
  /** Opening failed: not tried again (a spool is an optimisation; memory still works). */
  #unusable = false;
  #warned = false;
  #closed = false;
  #size = 0;

  constructor(
    /** Where the file goes (read at the first put: the data dir may follow a reload until then). */
    private readonly locate: () => string,
    private readonly log: () => LoggerV1,
  ) {}

  /** Messages stored and not taken back. */
  get size(): number {
    return this.#size;
  }

  /** The file in use, once opened. */
  get path(): string | undefined {
    return this.#opened?.db.name;
  }

  /** Store `msg`: its row id, or undefined if the spool cannot be used (keep the message in memory). */
  put(msg: InboundMessage): number | undefined {
    const opened = this.#open();
    if (!opened) return undefined;
    try {
      const { lastInsertRowid } = opened.put.run(msg.topic, msg.payload, msg.retain ? 1 : 0);
      this.#size++;
      this.#warned = false;
      return Number(lastInsertRowid);
    } catch (err) {
      this.#warn(opened.db.name, err, 'a message is kept in memory instead'); // e.g. the disk is full
      return undefined;
    }
  }

  /** The message stored under `id`, removed from the file; undefined if it cannot be read (logged). */
  take(id: number): InboundMessage | undefined {
    const opened = this.#opened;
    if (!opened) return undefined;
    let row: Row | undefined;
    try {
      row = opened.take.get(id);
    } catch (err) {
      this.log().error(
        { err: new ERR_SPOOL_UNAVAILABLE({ location: opened.db.name, reason: reasonOf(err) }) },
        'a spooled message cannot be read back: it stays unacknowledged until the next session',
      );
    }
    if (!row) return undefined;
    this.#size--;
    return { topic: row.topic, payload: row.payload, retain: row.retain === 1 };
  }

  /** Forget every stored message, close and delete the file (shutdown). Puts after this answer undefined. */
  close(): void {
    this.#closed = true;
    this.#size = 0;
    const opened = this.#opened;
    this.#opened = undefined;
    if (!opened) return;
    try {
      opened.db.close();
      removeFiles(opened.db.name);
    } catch (err) {
      this.log().warn({ file: opened.db.name, reason: reasonOf(err) }, 'cannot delete the task spool');
    }
  }

  #open(): Opened | undefined {
    if (this.#opened || this.#unusable || this.#closed) return this.#opened;
    const path = this.locate();
    try {
      this.#opened = openFile(path);
    } catch (first) {
      if (isBusy(first)) return this.#giveUp(path, first);
      // Not a database (e.g. a power loss tore it): it holds nothing worth keeping; start afresh.
      try {
        removeFiles(path);
        this.#opened = openFile(path);
      } catch (err) {
        return this.#giveUp(path, err);
      }
    }
    this.log().info({ file: path }, 'task spool opened: messages beyond the prefetch wait on disk');
    return this.#opened;
  }

  #giveUp(path: string, err: unknown): undefined {
    this.#unusable = true;
    this.#warn(path, err, 'messages beyond the prefetch are kept in memory');
    return undefined;
  }

  #warn(location: string, err: unknown, consequence: string): void {
    if (this.#warned) return;
    this.#warned = true;
    const reason = isBusy(err) ? `in use by another process (${reasonOf(err)})` : reasonOf(err);
    this.log().warn(
      { err: new ERR_SPOOL_UNAVAILABLE({ location, reason }, { cause: err }) },
      `the task spool cannot be used: ${consequence}`,
    );
  }
}
