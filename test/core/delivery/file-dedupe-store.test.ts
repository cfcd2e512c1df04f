import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDedupeStore, type DedupeSettings } from '../../../src/core/delivery/dedupe-store.js';
import { FileDedupeStore, type FileDedupeOptions } from '../../../src/core/delivery/file-dedupe-store.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { needs } from '../../helpers/require-tool.js';
import { thrown } from '../../helpers/thrown.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

let dir: string;
const open: FileDedupeStore[] = [];

function store(opts: Partial<FileDedupeOptions> = {}): FileDedupeStore {
  const s = FileDedupeStore.open({
    maxEntries: 100,
    ttlMs: 60_000,
    file: 'dedupe.sqlite',
    dataDir: join(dir, 'data'),
    log: recordingLogger(),
    ...opts,
  });
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent2389-dedupe-file-'));
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FileDedupeStore', () => {
  it('creates the data dir (0700) and the file; an id is run until answered, then answered', async () => {
    const s = store();
    expect(s.path).toBe(join(dir, 'data', 'dedupe.sqlite'));
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(existsSync(s.path)).toBe(true);
    const look = new Database(s.path, { readonly: true });
    expect(look.pragma('journal_mode', { simple: true })).toBe('wal');
    look.close();
    expect(s.kind).toBe('file');
    expect(await s.claim('t1')).toEqual({ kind: 'run' });
    await s.release('t1');
    expect(await s.claim('t1')).toEqual({ kind: 'run' });
    await s.markAnswered('t1');
    expect(await s.claim('t1')).toEqual({ kind: 'answered' });
    expect(await s.claim('t2')).toEqual({ kind: 'run' });
    expect(s.problem).toBeUndefined();
  });

  it('an absolute file is used as given', () => {
    const s = store({ file: join(dir, 'elsewhere', 'd.sqlite') });
    expect(s.path).toBe(join(dir, 'elsewhere', 'd.sqlite'));
    expect(existsSync(s.path)).toBe(true);
  });

  it('a restarted store (new instance, same file) still says answered for ids answered before', async () => {
    const first = store();
    await first.markAnswered('before-1');
    await first.markAnswered('before-2');
    await first.close();
    const second = store();
    expect(await second.claim('before-1')).toEqual({ kind: 'answered' });
    expect(await second.claim('before-2')).toEqual({ kind: 'answered' });
    expect(await second.claim('never')).toEqual({ kind: 'run' });
  });

  it('checkpoints the WAL off the per-task path: none inside an insert, all of it at close', async () => {
    const s = store();
    const wal = `${s.path}-wal`;
    for (let i = 0; i < 3_000; i++) await s.markAnswered(`id-${i}`); // > 1000 pages' worth of WAL frames
    const grown = statSync(wal).size;
    // ~26 MB here; SQLite's own checkpoint would keep rewinding it at 1000 pages (4 MB).
    expect(grown).toBeGreaterThan(12 * 1024 * 1024);
    await s.close();
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const again = store();
    expect(await again.claim('id-2999')).toEqual({ kind: 'answered' });
  });

  it('an id answered longer than the TTL ago is run again, and pruned', async () => {
    const c = clock();
    const s = store({ ttlMs: 1_000, now: c.now, pruneEvery: 3 });
    await s.markAnswered('old');
    c.advance(999);
    expect(await s.claim('old')).toEqual({ kind: 'answered' });
    c.advance(1);
    expect(await s.claim('old')).toEqual({ kind: 'run' });
    expect(s.size).toBe(1); // not pruned yet: pruning is batched
    await s.markAnswered('new-1');
    await s.markAnswered('new-2'); // third write since open: prune
    expect(s.size).toBe(2);
    expect(await s.claim('new-1')).toEqual({ kind: 'answered' });
  });

  it('beyond maxEntries the oldest answers are pruned, in batches', async () => {
    const c = clock();
    const s = store({ maxEntries: 5, now: c.now, pruneEvery: 4 });
    for (let i = 0; i < 12; i++) {
      await s.markAnswered(`id-${i}`);
      c.advance(1);
    }
    // pruned after the 4th, 8th and 12th write: the 5 newest are kept
    expect(s.size).toBe(5);
    expect(await s.claim('id-6')).toEqual({ kind: 'run' });
    for (let i = 7; i < 12; i++) expect(await s.claim(`id-${i}`)).toEqual({ kind: 'answered' });
    await s.markAnswered('id-12');
    expect(s.size).toBe(6); // between batches the table may exceed maxEntries
  });

  it('resize prunes to the new limits at once', async () => {
    const c = clock();
    const s = store({ now: c.now });
    for (let i = 0; i < 10; i++) {
      await s.markAnswered(`id-${i}`);
      c.advance(10);
    }
    s.resize({ maxEntries: 3, ttlMs: 60_000 });
    expect(s.size).toBe(3);
    expect(await s.claim('id-6')).toEqual({ kind: 'run' });
    expect(await s.claim('id-7')).toEqual({ kind: 'answered' });
    s.resize({ maxEntries: 3, ttlMs: 15 }); // id-9 is 10 ms old, id-8 20 ms
    expect(await s.claim('id-8')).toEqual({ kind: 'run' });
    expect(s.size).toBe(1);
    expect(await s.claim('id-9')).toEqual({ kind: 'answered' });
  });

  it('a directory that cannot be created is AGENT_ERR_DEDUPE_STORE_OPEN naming it', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const err = thrown(() => store({ dataDir: join(dir, 'a-file', 'data') }));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_DEDUPE_STORE_OPEN',
      data: { store: 'file', location: join(dir, 'a-file', 'data', 'dedupe.sqlite') },
    });
  });

  it('a file that is not a database is AGENT_ERR_DEDUPE_STORE_OPEN, and left as it was', () => {
    const file = join(dir, 'junk.sqlite');
    const junk = 'this is not an SQLite database, just text that someone put here '.repeat(100);
    writeFileSync(file, junk);
    const err = thrown(() => store({ file }));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_DEDUPE_STORE_OPEN',
      data: { store: 'file', location: file },
    });
    expect(err.data).toMatchObject({ reason: expect.stringMatching(/./) as string });
  });

  // As root a read-only file is written anyway.
  needs('non-root').it('a read-only database file is AGENT_ERR_DEDUPE_STORE_OPEN', async () => {
    const first = store();
    await first.markAnswered('t');
    await first.close();
    chmodSync(first.path, 0o444);
    expect(thrown(() => store())).toMatchObject({ code: 'AGENT_ERR_DEDUPE_STORE_OPEN' });
  });

  it('after close, calls fail with AGENT_ERR_DEDUPE_UNAVAILABLE and do not set problem', async () => {
    const s = store();
    await s.close();
    await s.close();
    await expect(s.claim('t')).rejects.toMatchObject({
      code: 'AGENT_ERR_DEDUPE_UNAVAILABLE',
      data: { store: 'file' },
    });
    expect(s.problem).toBeUndefined();
  });

  it('openDedupeStore opens the file store relative to the data dir, and the memory store', async () => {
    const settings: DedupeSettings = {
      store: 'file',
      cache_size: 10,
      ttl_seconds: 60,
      file: 'sub/d.sqlite',
      key_prefix: 'agent2389',
    };
    const ctx = { agentId: 'a', dataDir: join(dir, 'data'), env: {}, holder: 'h', log: recordingLogger() };
    const file = await openDedupeStore(settings, ctx);
    expect(file.kind).toBe('file');
    expect((file as FileDedupeStore).path).toBe(join(dir, 'data', 'sub', 'd.sqlite'));
    await file.close();
    const memory = await openDedupeStore({ ...settings, store: 'memory' }, ctx);
    expect(memory.kind).toBe('memory');
    await memory.close();
  });
});
