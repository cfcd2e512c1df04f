import { describe, expect, it } from 'vitest';

import { AgentRegistry, type AgentRegistryOptions } from '../../../src/core/routing/agent-registry.js';

const topic = (id: string): string => `/control/agents/${id}/status`;
const status = (id: string, extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({
      agent_id: id,
      status: 'available',
      timestamp: '2026-11-25T10:15:30.123Z',
      capabilities: ['writing'],
      tools: ['echo'],
      load: 0,
      version: '0.1.0',
      ...extra,
    }),
  );

/** A registry on a clock the test moves; stale after 90 s unless said otherwise. */
function registry(opts: Partial<AgentRegistryOptions> = {}) {
  const clock = { t: 1_000_000 };
  const reg = new AgentRegistry({ staleAfterMs: () => 90_000, now: () => clock.t, ...opts });
  const see = (id: string, extra: Record<string, unknown> = {}): void =>
    reg.observe(topic(id), status(id, extra));
  return { reg, clock, see };
}

const ids = (agents: ReadonlyArray<{ id: string }>): string[] => agents.map((a) => a.id);

describe('AgentRegistry: what a status message makes known', () => {
  it('keeps id, description, capabilities, tools, load, version and when it was received', () => {
    const { reg, see } = registry();
    see('writer', { description: 'Writes', capabilities: ['Writing', 'editing'], load: 0.25 });
    expect(reg.get('writer')).toEqual({
      id: 'writer',
      status: 'available',
      description: 'Writes',
      capabilities: ['Writing', 'editing'],
      tools: ['echo'],
      load: 0.25,
      version: '0.1.0',
      lastSeenMs: 1_000_000,
    });
  });

  it('lists the routable agents sorted by id, whatever the order they were seen in', () => {
    const { reg, see } = registry();
    for (const id of ['gamma', 'alpha', 'beta']) see(id);
    expect(ids(reg.routable())).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('gives out frozen copies: a caller cannot change what the registry knows', () => {
    const { reg, see } = registry();
    see('writer');
    const a = reg.get('writer')!;
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.capabilities)).toBe(true);
    expect(() => (a.capabilities as string[]).push('x')).toThrow(TypeError);
  });
});

describe('AgentRegistry: leaving', () => {
  it('removes an agent at once on unavailable (a shutdown or its Last Will)', () => {
    const { reg, see } = registry();
    see('writer');
    see('editor');
    // The Will an agent sets: retained unavailable, load 0.
    see('writer', { status: 'unavailable', load: 0 });
    expect(reg.isRoutable('writer')).toBe(false);
    expect(reg.get('writer')).toBeUndefined();
    expect(ids(reg.routable())).toEqual(['editor']);
  });

  it('accepts a minimal unavailable (only agent_id and status) as a removal', () => {
    const { reg, see } = registry();
    see('writer');
    reg.observe(topic('writer'), Buffer.from('{"agent_id":"writer","status":"unavailable"}'));
    expect(reg.get('writer')).toBeUndefined();
  });

  it('removes an agent whose retained status was cleared (empty payload)', () => {
    const { reg, see } = registry();
    see('writer');
    reg.observe(topic('writer'), Buffer.alloc(0));
    expect(reg.get('writer')).toBeUndefined();
    expect(reg.size).toBe(0);
  });

  it('comes back with the next available', () => {
    const { reg, see } = registry();
    see('writer', { status: 'unavailable' });
    see('writer');
    expect(reg.isRoutable('writer')).toBe(true);
  });
});

describe('AgentRegistry: staleness on its own clock', () => {
  it('is routable while younger than staleAfterMs, then not (but still known)', () => {
    const { reg, clock, see } = registry();
    see('writer');
    clock.t += 89_999;
    expect(reg.isRoutable('writer')).toBe(true);
    clock.t += 1;
    expect(reg.isRoutable('writer')).toBe(false);
    expect(reg.routable()).toEqual([]);
    expect(reg.get('writer')).toMatchObject({ id: 'writer' });
    expect(reg.ageMs(reg.get('writer')!)).toBe(90_000);
  });

  it('a heartbeat makes a stale agent routable again', () => {
    const { reg, clock, see } = registry();
    see('writer');
    clock.t += 100_000;
    see('writer', { load: 0.5 });
    expect(reg.isRoutable('writer')).toBe(true);
    expect(reg.get('writer')?.load).toBe(0.5);
  });

  it("ignores the sender's timestamp: a skewed clock neither ages nor refreshes an agent", () => {
    const { reg, clock, see } = registry();
    see('past', { timestamp: '1999-01-01T00:00:00Z' });
    see('future', { timestamp: '2999-01-01T00:00:00Z' });
    expect(ids(reg.routable())).toEqual(['future', 'past']);
    clock.t += 90_000;
    expect(reg.routable()).toEqual([]);
  });

  it('reads staleAfterMs at each question (a reload may change it)', () => {
    let stale = 90_000;
    const { reg, clock, see } = registry({ staleAfterMs: () => stale });
    see('writer');
    clock.t += 60_000;
    expect(reg.isRoutable('writer')).toBe(true);
    stale = 30_000;
    expect(reg.isRoutable('writer')).toBe(false);
  });
});

describe('AgentRegistry.best', () => {
  it('matches a capability case-insensitively and exactly (no prefix or substring)', () => {
    const { reg, see } = registry();
    see('writer', { capabilities: ['Technical-Writing'] });
    see('other', { capabilities: ['writing', 'technical-writing-extra'] });
    expect(reg.best('technical-WRITING')?.id).toBe('writer');
    expect(reg.best('technical')).toBeUndefined();
  });

  it('picks the lowest load, and the lowest id among equal loads', () => {
    const { reg, see } = registry();
    see('c', { load: 0.5 });
    see('b', { load: 0.25 });
    see('a', { load: 0.75 });
    expect(reg.best('writing')?.id).toBe('b');
    see('aa', { load: 0.25 });
    expect(reg.best('writing')?.id).toBe('aa');
  });

  it('leaves out the excluded agent (itself), and stale or unavailable ones', () => {
    const { reg, clock, see } = registry();
    see('self', { load: 0 });
    see('old', { load: 0 });
    clock.t += 60_000;
    see('gone', { load: 0 });
    see('busy', { load: 1 });
    see('gone', { status: 'unavailable' });
    clock.t += 30_000; // `self` and `old` are stale now
    see('self', { load: 0 });
    expect(reg.best('writing')?.id).toBe('self');
    expect(reg.best('writing', { exclude: 'self' })?.id).toBe('busy');
  });

  it('is undefined when no routable agent has the capability', () => {
    const { reg, see } = registry();
    expect(reg.best('writing')).toBeUndefined();
    see('a', { capabilities: [] });
    expect(reg.best('writing')).toBeUndefined();
  });
});

describe('AgentRegistry: bounded whatever the broker sends', () => {
  it('keeps at most maxAgents, evicting the one seen longest ago', () => {
    const { reg, see } = registry({ maxAgents: 3 });
    see('a');
    see('b');
    see('c');
    see('a'); // seen again: now the newest
    see('d');
    expect(ids(reg.routable())).toEqual(['a', 'c', 'd']);
    expect(reg.evicted).toBe(1);
    expect(reg.size).toBe(3);
  });

  it('keeps at most maxChars of strings, evicting the oldest to make room', () => {
    // Each agent: id (1) + version (5) + capability (7) + tool (4) = 17 characters.
    const { reg, see } = registry({ maxChars: 40 });
    see('a');
    see('b');
    see('c');
    expect(ids(reg.routable())).toEqual(['b', 'c']);
    see('b', { description: 'x'.repeat(30) }); // 47 > 40 on its own: ignored, and `b` is forgotten
    expect(ids(reg.routable())).toEqual(['c']);
    expect(reg.ignored).toBe(1);
  });

  it('an update of a known agent evicts nothing', () => {
    const { reg, see } = registry({ maxAgents: 2 });
    see('a');
    see('b');
    see('b', { load: 0.5 });
    expect(ids(reg.routable())).toEqual(['a', 'b']);
    expect(reg.evicted).toBe(0);
  });
});

describe('AgentRegistry: hostile status messages are ignored and counted', () => {
  const hostile: Array<[string, string, Buffer]> = [
    ['not JSON', topic('x'), Buffer.from('{oops')],
    ['a JSON array', topic('x'), Buffer.from('[1,2]')],
    ['invalid UTF-8', topic('x'), Buffer.from([0xff, 0xfe, 0x7b])],
    ['over 64 KiB', topic('x'), status('x', { description: 'd'.repeat(70_000) })],
    ['agent_id of another agent', topic('x'), status('y')],
    ['agent_id missing', topic('x'), Buffer.from('{"status":"available","load":0}')],
    ['an unknown status', topic('x'), status('x', { status: 'busy' })],
    ['load as a string', topic('x'), status('x', { load: '0.5' })],
    ['a negative load', topic('x'), status('x', { load: -1 })],
    ['no load while available', topic('x'), Buffer.from('{"agent_id":"x","status":"available"}')],
    ['capabilities not a list', topic('x'), status('x', { capabilities: 'writing' })],
    ['a capability not a string', topic('x'), status('x', { capabilities: ['a', 1] })],
    ['tools not a list', topic('x'), status('x', { tools: { a: 1 } })],
    ['description not a string', topic('x'), status('x', { description: 7 })],
    ['version not a string', topic('x'), status('x', { version: [] })],
    ['an id against RULE-001', topic('a b'), status('a b')],
    ['an id with a wildcard', topic('#'), status('#')],
    ['an over-long id', topic('i'.repeat(257)), status('i'.repeat(257))],
    ['a replica status topic', '/control/agents/x/replicas/r/status', status('x')],
    ['a non-canonical topic', '//control/agents/x/status', status('x')],
    ['another topic', '/control/agents/x/input', status('x')],
  ];

  it.each(hostile)('ignores %s', (_what, t, payload) => {
    const reasons: string[] = [];
    const { reg, see } = registry({ onIgnored: (reason) => reasons.push(reason) });
    see('x', { load: 0.5 });
    expect(() => reg.observe(t, payload)).not.toThrow();
    expect(reg.ignored).toBe(1);
    expect(reasons).toHaveLength(1);
    // The last good status stands.
    expect(reg.get('x')?.load).toBe(0.5);
    expect(ids(reg.routable())).toEqual(['x']);
  });

  it('keeps the first 64 capabilities and 256 tools, drops empty and over-long names, cuts text', () => {
    const { reg, see } = registry();
    const many = (n: number, p: string): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);
    see('x', {
      capabilities: ['', 'c'.repeat(257), ...many(100, 'cap')],
      tools: many(300, 't'),
      description: 'd'.repeat(5000),
      version: 'v'.repeat(100),
    });
    const a = reg.get('x')!;
    expect(a.capabilities).toEqual(many(64, 'cap'));
    expect(a.tools).toEqual(many(256, 't'));
    expect(a.description).toHaveLength(1024);
    expect(a.version).toHaveLength(64);
  });

  it('never throws on random bytes on a status topic, and a throwing onIgnored does not escape', () => {
    let seed = 17;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const { reg } = registry({
      onIgnored: () => {
        throw new Error('log failed');
      },
    });
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: next() % 64 }, () => next() % 256));
      expect(() => reg.observe(topic(`r${i % 7}`), bytes)).not.toThrow();
    }
    expect(reg.size).toBe(0);
  });
});
