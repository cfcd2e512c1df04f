import { describe, expect, it } from 'vitest';

import { MemoryDedupeStore } from '../../../src/core/delivery/memory-dedupe-store.js';

function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** claim → 'run' then markAnswered: what the old one-step claim() did; true if the id was new. */
async function seeOnce(store: MemoryDedupeStore, id: string): Promise<boolean> {
  const claim = await store.claim(id);
  if (claim.kind === 'answered') return false;
  expect(claim).toEqual({ kind: 'run' });
  await store.markAnswered(id);
  return true;
}

describe('FR-010: MemoryDedupeStore', () => {
  it('FR-010: an id is run until answered, then answered; claims alone record nothing', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 10, ttlMs: 60_000 });
    expect(await store.claim('t1')).toEqual({ kind: 'run' });
    expect(await store.claim('t1')).toEqual({ kind: 'run' }); // never 'held': the intake tracks its own runs
    await store.release('t1');
    expect(store.size).toBe(0);
    await store.markAnswered('t1');
    expect(await store.claim('t1')).toEqual({ kind: 'answered' });
    expect(await store.claim('t1')).toEqual({ kind: 'answered' });
    expect(await store.claim('t2')).toEqual({ kind: 'run' });
    expect(store.size).toBe(1);
  });

  it('is always usable: no problem, listeners never called, close resolves', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 10, ttlMs: 60_000 });
    let told = 0;
    store.onHealthChange(() => told++);
    expect(store.kind).toBe('memory');
    expect(store.problem).toBeUndefined();
    await store.markAnswered('t');
    await store.close();
    expect(told).toBe(0);
  });

  it('FR-010: evicts the least recently used id past maxEntries', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 2, ttlMs: 60_000 });
    await seeOnce(store, 'a');
    await seeOnce(store, 'b');
    await seeOnce(store, 'c'); // evicts a
    expect(store.size).toBe(2);
    expect(await seeOnce(store, 'c')).toBe(false);
    expect(await seeOnce(store, 'b')).toBe(false);
    expect(await seeOnce(store, 'a')).toBe(true); // forgotten, so new again
  });

  it('FR-010: a duplicate hit refreshes recency, so the other id is evicted first', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 2, ttlMs: 60_000 });
    await seeOnce(store, 'a');
    await seeOnce(store, 'b');
    expect(await seeOnce(store, 'a')).toBe(false); // a is now most recent
    await seeOnce(store, 'c'); // evicts b
    expect(await seeOnce(store, 'a')).toBe(false);
    expect(await seeOnce(store, 'b')).toBe(true);
  });

  it('FR-010: answering the same id again moves it to the end instead of adding a second entry', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 2, ttlMs: 60_000 });
    await store.markAnswered('a');
    await store.markAnswered('b');
    await store.markAnswered('a');
    expect(store.size).toBe(2);
    await store.markAnswered('c'); // evicts b
    expect(await store.claim('a')).toEqual({ kind: 'answered' });
    expect(await store.claim('b')).toEqual({ kind: 'run' });
  });

  it('FR-010: never holds more than maxEntries', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 5, ttlMs: 60_000 });
    for (let i = 0; i < 100; i++) await seeOnce(store, `id-${i}`);
    expect(store.size).toBe(5);
    expect(await seeOnce(store, 'id-99')).toBe(false);
    expect(await seeOnce(store, 'id-94')).toBe(true);
  });

  it('FR-010: answers like a plain LRU over a long random run of new, repeated and evicted ids', async () => {
    // The store keeps one eviction iterator across calls; a naive model re-scans an array each time.
    const max = 7;
    const store = new MemoryDedupeStore({ maxEntries: max, ttlMs: 60_000 });
    const model: string[] = []; // oldest first
    let seed = 42;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let step = 0; step < 5_000; step++) {
      const id = `t${random(20)}`;
      const at = model.indexOf(id);
      if (at >= 0) model.splice(at, 1);
      model.push(id);
      if (model.length > max) model.shift();
      expect(await seeOnce(store, id), `step ${step}: ${id}`).toBe(at < 0);
      if (step % 500 === 0) store.resize({ maxEntries: max, ttlMs: 60_000 });
    }
    expect(store.size).toBe(max);
  });

  it('FR-010: an id is answered until the TTL has passed, then run again', async () => {
    const c = clock();
    const store = new MemoryDedupeStore({ maxEntries: 10, ttlMs: 1_000, now: c.now });
    expect(await seeOnce(store, 't')).toBe(true);
    c.advance(999);
    expect(await seeOnce(store, 't')).toBe(false);
    c.advance(1);
    expect(await store.claim('t')).toEqual({ kind: 'run' });
    expect(store.size).toBe(0); // the expired entry is gone
    await store.markAnswered('t');
    expect(await seeOnce(store, 't')).toBe(false);
  });

  it('FR-010: a duplicate hit does not extend the TTL', async () => {
    const c = clock();
    const store = new MemoryDedupeStore({ maxEntries: 10, ttlMs: 1_000, now: c.now });
    await seeOnce(store, 't');
    c.advance(600);
    expect(await seeOnce(store, 't')).toBe(false);
    c.advance(600); // 1200 ms after the answer
    expect(await seeOnce(store, 't')).toBe(true);
  });

  it('FR-010: uses Date.now when no clock is given', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 10, ttlMs: 0 });
    expect(await seeOnce(store, 't')).toBe(true);
    expect(await seeOnce(store, 't')).toBe(true); // ttl 0: everything has already expired
  });

  it('resize drops the oldest ids beyond the new size and keeps the rest (a reload)', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 5, ttlMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) await seeOnce(store, id);
    store.resize({ maxEntries: 2, ttlMs: 60_000 });
    expect(store.size).toBe(2);
    expect(await seeOnce(store, 'd')).toBe(false);
    expect(await seeOnce(store, 'c')).toBe(false);
    expect(await seeOnce(store, 'a')).toBe(true);
  });

  it('resize applies a new TTL to ids already answered', async () => {
    const c = clock();
    const store = new MemoryDedupeStore({ maxEntries: 5, ttlMs: 60_000, now: c.now });
    await store.markAnswered('t');
    c.advance(2_000);
    store.resize({ maxEntries: 5, ttlMs: 1_000 });
    expect(await store.claim('t')).toEqual({ kind: 'run' });
  });
});
