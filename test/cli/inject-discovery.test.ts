import { afterEach, describe, expect, it, vi } from 'vitest';

import { awaitBest, CapabilityDiscovery, DISCOVERY_SETTLE_MS } from '../../src/cli/inject-discovery.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const status = (id: string, fields: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      agent_id: id,
      status: 'available',
      timestamp: new Date(NOW - 1000).toISOString(),
      capabilities: ['research'],
      tools: [],
      load: 0,
      version: '1',
      ...fields,
    }),
  );
const topic = (id: string) => `/control/agents/${id}/status`;
const discovery = () => new CapabilityDiscovery('Research', 90_000, () => NOW);

describe('CapabilityDiscovery', () => {
  it('picks the routable agent with the capability (case-insensitive): lowest load, ties by id', () => {
    const d = discovery();
    d.observe(topic('r-busy'), status('r-busy', { load: 3 }));
    d.observe(topic('r-c'), status('r-c', { load: 1 }));
    d.observe(topic('r-b'), status('r-b', { load: 1 }));
    d.observe(topic('r-a'), status('r-a', { load: 2 }));
    d.observe(topic('writer'), status('writer', { capabilities: ['write'] }));
    expect(d.best()?.id).toBe('r-b');
    expect(d.routable().map((a) => a.id)).toEqual(['r-a', 'r-b', 'r-busy', 'r-c', 'writer']);
  });

  it('leaves out unavailable, cleared, stale (by their own timestamp) and timestamp-less statuses', () => {
    const d = discovery();
    d.observe(topic('gone'), status('gone', { status: 'unavailable' }));
    d.observe(topic('old'), status('old', { timestamp: new Date(NOW - 90_000).toISOString() }));
    d.observe(topic('untimed'), status('untimed', { timestamp: undefined }));
    d.observe(topic('cleared'), status('cleared'));
    d.observe(topic('cleared'), Buffer.alloc(0));
    d.observe(topic('liar'), status('someone-else'));
    d.observe(topic('junk'), Buffer.from('{not json'));
    d.observe('/control/agents/x/replicas/r1/status', status('x'));
    expect(d.best()).toBeUndefined();
    expect(d.routable()).toEqual([]);
    // A fresh status for the old one makes it routable again.
    d.observe(topic('old'), status('old', { load: 2 }));
    expect(d.best()).toMatchObject({ id: 'old', load: 2 });
  });
});

describe('awaitBest', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves DISCOVERY_SETTLE_MS after the last status once a match is known', async () => {
    vi.useFakeTimers();
    const d = discovery();
    let result: string | undefined | null = null;
    void awaitBest(d, 5000).then((a) => (result = a?.id));
    await vi.advanceTimersByTimeAsync(1000);
    d.observe(topic('busy'), status('busy', { load: 5 }));
    await vi.advanceTimersByTimeAsync(DISCOVERY_SETTLE_MS - 1);
    d.observe(topic('idle'), status('idle', { load: 0 })); // re-arms the settle timer
    await vi.advanceTimersByTimeAsync(DISCOVERY_SETTLE_MS - 1);
    expect(result).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe('idle');
  });

  it('a match that goes away stops the settle timer; with none, resolves undefined at the timeout', async () => {
    vi.useFakeTimers();
    const d = discovery();
    let result: string | undefined | null = null;
    void awaitBest(d, 5000).then((a) => (result = a?.id));
    d.observe(topic('r'), status('r'));
    d.observe(topic('r'), status('r', { status: 'unavailable' }));
    await vi.advanceTimersByTimeAsync(4999);
    expect(result).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBeUndefined();
  });

  it('already known before the wait: settles without any further message', async () => {
    vi.useFakeTimers();
    const d = discovery();
    d.observe(topic('r'), status('r'));
    const p = awaitBest(d, 5000);
    await vi.advanceTimersByTimeAsync(DISCOVERY_SETTLE_MS);
    expect((await p)?.id).toBe('r');
  });
});
