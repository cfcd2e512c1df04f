import { describe, expect, it } from 'vitest';

import type { ClaimResult, DedupeStore } from '../../../src/core/delivery/dedupe-store.js';
import { Deliveries } from '../../../src/core/delivery/deliveries.js';
import { MemoryDedupeStore } from '../../../src/core/delivery/memory-dedupe-store.js';
import { ERR_DEDUPE_UNAVAILABLE } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';

/** An acknowledgement that counts its calls. */
function ackCounter(): { ack: () => void; count: () => number } {
  let n = 0;
  return { ack: () => void (n += 1), count: () => n };
}

const memory = (): MemoryDedupeStore => new MemoryDedupeStore({ maxEntries: 100, ttlMs: 60_000 });

describe('Deliveries (durable intake, docs/scaling.md)', () => {
  it('a new task is claimed and acknowledged only once its answer is recorded', async () => {
    const store = memory();
    const d = new Deliveries(store, () => silentLogger);
    const a = ackCounter();
    expect(await d.claim('t1', a.ack)).toBe('new');
    expect(a.count()).toBe(0);
    expect(d.running).toBe(1);
    await d.answered('t1');
    expect(a.count()).toBe(1);
    expect(await store.claim('t1')).toEqual({ kind: 'answered' });
    expect(d.running).toBe(0);
  });

  it('FR-010: copies of a running task are acknowledged with it, once it is answered', async () => {
    const d = new Deliveries(memory(), () => silentLogger);
    const [first, second, third] = [ackCounter(), ackCounter(), ackCounter()];
    expect(await d.claim('t1', first.ack)).toBe('new');
    expect(await d.claim('t1', second.ack)).toBe('duplicate');
    expect(await d.claim('t1', third.ack)).toBe('duplicate');
    expect([first, second, third].map((a) => a.count())).toEqual([0, 0, 0]);
    await d.answered('t1');
    expect([first, second, third].map((a) => a.count())).toEqual([1, 1, 1]);
  });

  it('two copies arriving at once: one runs, the other joins it (the claim is registered before the store answers)', async () => {
    const d = new Deliveries(memory(), () => silentLogger);
    const [a, b] = [ackCounter(), ackCounter()];
    expect(await Promise.all([d.claim('t1', a.ack), d.claim('t1', b.ack)])).toEqual(['new', 'duplicate']);
  });

  it('FR-010: a copy of an answered task is acknowledged at once and not run', async () => {
    const store = memory();
    await store.markAnswered('t1');
    const d = new Deliveries(store, () => silentLogger);
    const a = ackCounter();
    expect(await d.claim('t1', a.ack)).toBe('duplicate');
    expect(a.count()).toBe(1);
    expect(d.running).toBe(0);
  });

  it('an abandoned task (no answer went out) is not acknowledged, and a later copy runs it', async () => {
    const d = new Deliveries(memory(), () => silentLogger);
    const a = ackCounter();
    await d.claim('t1', a.ack);
    await d.abandoned('t1');
    expect(a.count()).toBe(0);
    expect(await d.claim('t1', ackCounter().ack)).toBe('new');
  });

  it('a task a live other replica holds is left for later, unacknowledged', async () => {
    const held: ClaimResult = { kind: 'held', holder: 'other' };
    const store = {
      ...memory(),
      kind: 'redis',
      claim: () => Promise.resolve(held),
    } as unknown as DedupeStore;
    const d = new Deliveries(store, () => silentLogger);
    const a = ackCounter();
    expect(await d.claim('t1', a.ack)).toBe('later');
    expect(a.count()).toBe(0);
    expect(d.running).toBe(0);
  });

  it('a store that cannot be asked rejects the claim and keeps nothing (the message is asked about again)', async () => {
    const down = new ERR_DEDUPE_UNAVAILABLE({ store: 'redis', reason: 'connection refused' });
    const store = { ...memory(), claim: () => Promise.reject(down) } as unknown as DedupeStore;
    const d = new Deliveries(store, () => silentLogger);
    await expect(d.claim('t1', ackCounter().ack)).rejects.toBe(down);
    expect(d.running).toBe(0);
  });

  it('an answered record that fails is retried; the copies are acknowledged only once it succeeds', async () => {
    const inner = memory();
    let failures = 2;
    let recorded!: () => void;
    const done = new Promise<void>((resolve) => (recorded = resolve));
    const store = {
      kind: 'redis',
      problem: undefined,
      claim: (id: string) => inner.claim(id),
      markAnswered: async (id: string) => {
        if (failures-- > 0) throw new ERR_DEDUPE_UNAVAILABLE({ store: 'redis', reason: 'down' });
        await inner.markAnswered(id);
        recorded();
      },
    } as unknown as DedupeStore;
    const d = new Deliveries(store, () => silentLogger);
    const a = ackCounter();
    await d.claim('t1', a.ack);
    await d.answered('t1');
    expect(a.count()).toBe(0);
    await done;
    await expect.poll(() => a.count()).toBe(1);
    expect(await inner.claim('t1')).toEqual({ kind: 'answered' });
  });
});
