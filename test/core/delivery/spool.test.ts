import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AgentError } from '../../../src/core/errors.js';
import { Spool } from '../../../src/core/delivery/spool.js';
import type { InboundMessage } from '../../../src/core/transport/transport.js';
import { recordingLogger, type LogEntry } from '../../helpers/recording-logger.js';

let dir: string;
const spools: Spool[] = [];

function spoolAt(path: string, entries: LogEntry[] = []): Spool {
  const log = recordingLogger(entries);
  const s = new Spool(
    () => path,
    () => log,
  );
  spools.push(s);
  return s;
}

const msg = (i: number, payload = Buffer.from(`{"n":${i}}`)): InboundMessage => ({
  topic: `/control/agents/a/input`,
  payload,
  retain: i % 2 === 1,
});

/** The coded warnings logged. */
const codes = (entries: LogEntry[]): Array<{ level: string; code: string; data: unknown }> =>
  entries.flatMap(({ level, obj }) => {
    const err = (obj as { err?: unknown } | undefined)?.err;
    return AgentError.is(err) ? [{ level, code: err.code, data: err.data }] : [];
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent2389-spool-'));
});

afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Spool', () => {
  it('opens its file on the first put only, and gives each message back once, as stored', () => {
    const path = join(dir, 'data', 'spool.sqlite');
    const s = spoolAt(path);
    expect(existsSync(path)).toBe(false);
    const ids = [0, 1, 2].map((i) => s.put(msg(i))!);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(s.size).toBe(3);
    expect(ids.map((id) => s.take(id))).toEqual([msg(0), msg(1), msg(2)]);
    expect(s.take(ids[0]!)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('keeps payloads up to the MQTT limit and beyond byte for byte', () => {
    const s = spoolAt(join(dir, 'spool.sqlite'));
    const big = [256 * 1024, 1024 * 1024, 4 * 1024 * 1024].map((n) => msg(0, randomBytes(n)));
    const ids = big.map((m) => s.put(m)!);
    for (const [k, id] of ids.entries()) expect(s.take(id)!.payload.equals(big[k]!.payload)).toBe(true);
  });

  it('empties a file left by an earlier process when it opens', () => {
    const path = join(dir, 'spool.sqlite');
    // What a killed agent leaves: the table with rows in it.
    const crashed = new Database(path);
    crashed.exec(
      'CREATE TABLE spool (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL)',
    );
    const put = crashed.prepare('INSERT INTO spool (topic, payload, retain) VALUES (?, ?, 0)');
    const old = [1, 2, 3].map(() => Number(put.run('t', Buffer.from('old')).lastInsertRowid));
    crashed.close();

    const next = spoolAt(path);
    const id = next.put(msg(2))!;
    expect(next.size).toBe(1);
    expect(old.filter((o) => o !== id).map((o) => next.take(o))).toEqual([undefined, undefined]);
    expect(next.take(id)).toEqual(msg(2));
  });

  it('close() drops what it holds and deletes the file', () => {
    const path = join(dir, 'spool.sqlite');
    const s = spoolAt(path);
    s.put(msg(0));
    s.close();
    expect([path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p))).toEqual([]);
    expect(s.size).toBe(0);
    expect(s.put(msg(1))).toBeUndefined(); // closed for good
  });

  it('a data dir that cannot be created: put() answers undefined and one coded warning is logged', () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const entries: LogEntry[] = [];
    const path = join(blocker, 'spool.sqlite');
    const s = spoolAt(path, entries);
    expect([s.put(msg(0)), s.put(msg(1))]).toEqual([undefined, undefined]);
    expect(codes(entries)).toEqual([
      {
        level: 'warn',
        code: 'AGENT_ERR_SPOOL_UNAVAILABLE',
        data: { location: path, reason: expect.stringContaining('ENOTDIR') as unknown },
      },
    ]);
  });

  it('a file another live agent spools into is neither emptied nor shared: the second one warns', () => {
    const path = join(dir, 'spool.sqlite');
    const first = spoolAt(path);
    const id = first.put(msg(0))!;
    const entries: LogEntry[] = [];
    const second = spoolAt(path, entries);
    expect(second.put(msg(1))).toBeUndefined();
    expect(codes(entries)).toEqual([
      {
        level: 'warn',
        code: 'AGENT_ERR_SPOOL_UNAVAILABLE',
        data: { location: path, reason: expect.stringContaining('in use by another process') as unknown },
      },
    ]);
    second.close(); // not its file: left alone
    expect(first.take(id)).toEqual(msg(0));
  });

  it('a file that is not a database (torn by a power loss) is replaced', () => {
    const path = join(dir, 'spool.sqlite');
    writeFileSync(path, randomBytes(8192));
    const entries: LogEntry[] = [];
    const s = spoolAt(path, entries);
    const id = s.put(msg(0))!;
    expect(s.take(id)).toEqual(msg(0));
    expect(codes(entries)).toEqual([]);
  });
});
