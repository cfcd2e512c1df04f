import { describe, expect, it } from 'vitest';

import { LruTtlIdempotencyStore } from '../../../src/core/pipeline/idempotency.js';

function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('FR-010: LruTtlIdempotencyStore', () => {
  it('FR-010: claims a new id once and reports the repeat as a duplicate', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 10, ttlMs: 60_000 });
    expect(store.claim('t1')).toBe(true);
    expect(store.claim('t1')).toBe(false);
    expect(store.claim('t1')).toBe(false);
    expect(store.claim('t2')).toBe(true);
    expect(store.size).toBe(2);
  });

  it('FR-010: evicts the least recently used id past maxEntries', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 2, ttlMs: 60_000 });
    store.claim('a');
    store.claim('b');
    store.claim('c'); // evicts a
    expect(store.size).toBe(2);
    expect(store.claim('c')).toBe(false);
    expect(store.claim('b')).toBe(false);
    expect(store.claim('a')).toBe(true); // forgotten, so new again
  });

  it('FR-010: a duplicate hit refreshes recency, so the other id is evicted first', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 2, ttlMs: 60_000 });
    store.claim('a');
    store.claim('b');
    expect(store.claim('a')).toBe(false); // a is now most recent
    store.claim('c'); // evicts b
    expect(store.claim('a')).toBe(false);
    expect(store.claim('b')).toBe(true);
  });

  it('FR-010: never holds more than maxEntries', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 5, ttlMs: 60_000 });
    for (let i = 0; i < 100; i++) store.claim(`id-${i}`);
    expect(store.size).toBe(5);
    expect(store.claim('id-99')).toBe(false);
    expect(store.claim('id-94')).toBe(true);
  });

  it('FR-010: answers like a plain LRU over a long random run of new, repeated and evicted ids', () => {
    // The store keeps one eviction iterator across calls; a naive model re-scans an array each time.
    const max = 7;
    const store = new LruTtlIdempotencyStore({ maxEntries: max, ttlMs: 60_000 });
    const model: string[] = []; // oldest first
    let seed = 42;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let step = 0; step < 5_000; step++) {
      const id = `t${random(20)}`;
      const at = model.indexOf(id);
      if (at >= 0) model.splice(at, 1);
      model.push(id);
      if (model.length > max) model.shift();
      expect(store.claim(id), `step ${step}: ${id}`).toBe(at < 0);
      if (step % 500 === 0) store.resize({ maxEntries: max, ttlMs: 60_000 });
    }
    expect(store.size).toBe(max);
  });

  it('FR-010: an id is a duplicate until the TTL has passed, then new again', () => {
    const c = clock();
    const store = new LruTtlIdempotencyStore({ maxEntries: 10, ttlMs: 1_000, now: c.now });
    expect(store.claim('t')).toBe(true);
    c.advance(999);
    expect(store.claim('t')).toBe(false);
    c.advance(1);
    expect(store.claim('t')).toBe(true);
    expect(store.claim('t')).toBe(false);
  });

  it('FR-010: a duplicate hit does not extend the TTL', () => {
    const c = clock();
    const store = new LruTtlIdempotencyStore({ maxEntries: 10, ttlMs: 1_000, now: c.now });
    store.claim('t');
    c.advance(600);
    expect(store.claim('t')).toBe(false);
    c.advance(600); // 1200 ms after the first claim
    expect(store.claim('t')).toBe(true);
  });

  it('FR-010: uses Date.now when no clock is given', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 10, ttlMs: 0 });
    expect(store.claim('t')).toBe(true);
    expect(store.claim('t')).toBe(true); // ttl 0: everything has already expired
  });

  it('resize drops the oldest ids beyond the new size and keeps the rest (a reload)', () => {
    const store = new LruTtlIdempotencyStore({ maxEntries: 5, ttlMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) store.claim(id);
    store.resize({ maxEntries: 2, ttlMs: 60_000 });
    expect(store.size).toBe(2);
    expect(store.claim('d')).toBe(false);
    expect(store.claim('c')).toBe(false);
    expect(store.claim('a')).toBe(true);
  });
});
