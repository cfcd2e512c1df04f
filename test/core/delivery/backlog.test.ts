import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Backlog, type SpoolStore } from '../../../src/core/delivery/backlog.js';
import { Spool } from '../../../src/core/delivery/spool.js';
import type { InboundMessage } from '../../../src/core/transport/transport.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

let dir: string;
const msg = (n: number): InboundMessage => ({ topic: 't', payload: Buffer.from(String(n)), retain: false });
const spoolIn = (path: string): Spool =>
  new Spool(
    () => path,
    () => recordingLogger(),
  );

/** Drain the backlog: the tags, oldest first, and the payloads read back. */
function drain(b: Backlog<number>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let e = b.shift(); e; e = b.shift()) out.push([e.tag, e.msg.payload.toString()]);
  return out;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent2389-backlog-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Backlog', () => {
  it('keeps messages in memory within its byte budget, the rest on disk, all in order', () => {
    const path = join(dir, 'spool.sqlite');
    // Each entry costs its payload + topic + 256: a budget of 600 holds two one-byte messages.
    const b = new Backlog<number>(spoolIn(path), () => 600);
    for (let n = 0; n < 5; n++) b.push(msg(n), n);
    expect({ size: b.size, inMemory: b.inMemory, spooled: b.spooled }).toEqual({
      size: 5,
      inMemory: 2,
      spooled: 3,
    });
    expect(b.shift()).toMatchObject({ tag: 0 }); // room again in memory: the next push stays there
    b.push(msg(5), 5);
    expect(b.inMemory).toBe(2);
    expect(drain(b)).toEqual([1, 2, 3, 4, 5].map((n) => [n, String(n)]));
  });

  it('keeps messages on disk, oldest first, only their tags in memory', () => {
    const b = new Backlog<number>(spoolIn(join(dir, 'spool.sqlite')));
    for (let n = 0; n < 3000; n++) b.push(msg(n), n); // past the compaction threshold
    expect({ size: b.size, spooled: b.spooled, inMemory: b.inMemory }).toEqual({
      size: 3000,
      spooled: 3000,
      inMemory: 0,
    });
    const out = drain(b);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, n) => [n, String(n)]));
    expect(b.size).toBe(0);
    b.close();
  });

  it('keeps in memory, in the same order, what the spool cannot take', () => {
    // A spool that fails every other write (as a full disk might).
    const real = spoolIn(join(dir, 'spool.sqlite'));
    let writes = 0;
    const flaky: SpoolStore = {
      put: (m) => (writes++ % 2 === 0 ? real.put(m) : undefined),
      take: (id) => real.take(id),
      close: () => real.close(),
    };
    const b = new Backlog<number>(flaky);
    for (let n = 0; n < 6; n++) b.push(msg(n), n);
    expect({ spooled: b.spooled, inMemory: b.inMemory }).toEqual({ spooled: 3, inMemory: 3 });
    b.push(msg(6), 6);
    expect(drain(b).map(([tag]) => tag)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect({ spooled: b.spooled, inMemory: b.inMemory }).toEqual({ spooled: 0, inMemory: 0 });
    b.close();
  });

  it('with an unusable spool, everything waits in memory', () => {
    writeFileSync(join(dir, 'file'), '');
    const b = new Backlog<number>(spoolIn(join(dir, 'file', 'spool.sqlite')));
    for (let n = 0; n < 3; n++) b.push(msg(n), n);
    expect({ spooled: b.spooled, inMemory: b.inMemory }).toEqual({ spooled: 0, inMemory: 3 });
    expect(drain(b)).toEqual([
      [0, '0'],
      [1, '1'],
      [2, '2'],
    ]);
  });

  it('skips a spooled message that cannot be read back', () => {
    const real = spoolIn(join(dir, 'spool.sqlite'));
    const lossy: SpoolStore = {
      put: (m) => real.put(m),
      take: (id) => (id === 2 ? undefined : real.take(id)),
      close: () => real.close(),
    };
    const b = new Backlog<number>(lossy);
    for (let n = 0; n < 3; n++) b.push(msg(n), n);
    expect(drain(b).map(([tag]) => tag)).toEqual([0, 2]);
    b.close();
  });

  it('close() forgets every entry and says how many', () => {
    const path = join(dir, 'spool.sqlite');
    const b = new Backlog<number>(spoolIn(path));
    b.push(msg(0), 0);
    b.push(msg(1), 1);
    expect(b.close()).toBe(2);
    expect({ size: b.size, shifted: b.shift() }).toEqual({ size: 0, shifted: undefined });
  });
});
