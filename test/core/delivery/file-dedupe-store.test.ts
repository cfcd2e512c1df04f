import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    file: 'dedupe.journal',
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
    expect(s.path).toBe(join(dir, 'data', 'dedupe.journal'));
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(s.path).mode & 0o777).toBe(0o600);
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
    const s = store({ file: join(dir, 'elsewhere', 'd.journal') });
    expect(s.path).toBe(join(dir, 'elsewhere', 'd.journal'));
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

  it('one line per answer; a line torn by a crash (or any junk) is skipped at replay, the rest remembered', async () => {
    const first = store();
    await first.markAnswered('a1');
    await first.close();
    appendFileSync(first.path, 'garbage line\n17000000000 bad id with spaces\n170000'); // a torn last line
    expect(readFileSync(first.path, 'utf8').split('\n')[0]).toMatch(/^\d+ a1$/);
    const again = store();
    expect(await again.claim('a1')).toEqual({ kind: 'answered' });
    expect(again.size).toBe(1);
    await again.markAnswered('a2'); // appended after the torn line: its own line
    await again.close();
    expect(await store().claim('a2')).toEqual({ kind: 'answered' });
  });

  it('an id answered longer than the TTL ago is run again, also after a restart', async () => {
    const c = clock();
    const s = store({ ttlMs: 1_000, now: c.now });
    await s.markAnswered('old');
    c.advance(999);
    expect(await s.claim('old')).toEqual({ kind: 'answered' });
    c.advance(1);
    expect(await s.claim('old')).toEqual({ kind: 'run' });
    await s.close();
    expect(await store({ ttlMs: 1_000, now: c.now }).claim('old')).toEqual({ kind: 'run' });
  });

  it('keeps the newest maxEntries answers and compacts the journal to them past twice that many lines', async () => {
    const c = clock();
    const s = store({ maxEntries: 5, now: c.now });
    for (let i = 0; i < 12; i++) {
      await s.markAnswered(`id-${i}`);
      c.advance(1);
    }
    expect(s.size).toBe(5);
    expect(await s.claim('id-6')).toEqual({ kind: 'run' });
    for (let i = 7; i < 12; i++) expect(await s.claim(`id-${i}`)).toEqual({ kind: 'answered' });
    const lines = readFileSync(s.path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(10); // compacted at the 11th line to the 5 live ones, then 1 more
    expect(existsSync(`${s.path}.compact`)).toBe(false);
    await s.close();
    const again = store({ maxEntries: 5, now: c.now });
    for (let i = 7; i < 12; i++) expect(await again.claim(`id-${i}`)).toEqual({ kind: 'answered' });
    expect(await again.claim('id-6')).toEqual({ kind: 'run' });
  });

  it('resize applies the new limits at once', async () => {
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
    expect(await s.claim('id-9')).toEqual({ kind: 'answered' });
  });

  it('a directory that cannot be created is AGENT_ERR_DEDUPE_STORE_OPEN naming it', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const err = thrown(() => store({ dataDir: join(dir, 'a-file', 'data') }));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_DEDUPE_STORE_OPEN',
      data: { store: 'file', location: join(dir, 'a-file', 'data', 'dedupe.journal') },
    });
  });

  it('a folder where the file should be is AGENT_ERR_DEDUPE_STORE_OPEN, and left as it was', () => {
    const file = join(dir, 'a-folder');
    mkdirSync(file);
    const err = thrown(() => store({ file }));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_DEDUPE_STORE_OPEN',
      data: { store: 'file', location: file },
    });
    expect(err.data).toMatchObject({ reason: expect.stringMatching(/./) as string });
    expect(statSync(file).isDirectory()).toBe(true);
  });

  // As root a read-only file is written anyway.
  needs('non-root').it('a read-only journal file is AGENT_ERR_DEDUPE_STORE_OPEN', async () => {
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
      file: 'sub/d.journal',
      key_prefix: 'agent2389',
    };
    const ctx = { agentId: 'a', dataDir: join(dir, 'data'), env: {}, holder: 'h', log: recordingLogger() };
    const file = await openDedupeStore(settings, ctx);
    expect(file.kind).toBe('file');
    expect((file as FileDedupeStore).path).toBe(join(dir, 'data', 'sub', 'd.journal'));
    await file.close();
    const memory = await openDedupeStore({ ...settings, store: 'memory' }, ctx);
    expect(memory.kind).toBe('memory');
    await memory.close();
  });
});
