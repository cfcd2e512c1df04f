import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { AgentError } from '../../../src/core/errors.js';

const base = (extra: string, mqtt = 'broker_url = "mqtt://127.0.0.1:1883"'): string =>
  `[agent]\nid = "a1"\n[mqtt]\n${mqtt}\n[llm]\nprovider = "scripted"\n${extra}`;

function problemsOf(text: string): { path: string; message: string; line?: number }[] {
  try {
    parseConfigText(text, 'agent.toml', { env: {} });
  } catch (err) {
    if (AgentError.is(err, 'AGENT_ERR_CONFIG_INVALID')) return (err.data as { problems: [] }).problems;
    throw err;
  }
  return [];
}

const redis = '[dedupe]\nstore = "redis"\nredis_url_env = "REDIS_URL"\n';

describe('delivery config rules', () => {
  it('defaults: a durable file store in the data dir, prefetch 4, no replicas', () => {
    const { config, warnings } = parseConfigText(base(''), 'agent.toml', { env: {} });
    expect(config.dedupe).toEqual({
      store: 'file',
      cache_size: 10_000,
      ttl_seconds: 86_400,
      file: 'dedupe.journal',
      key_prefix: 'agent2389',
    });
    expect(config.prefetch_tasks).toBe(4);
    expect(config.mqtt.shared_group).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('reads the old [idempotency] table as [dedupe], with a warning naming the new keys', () => {
    const text = base('[idempotency]\ncache_size = 5\nttl_seconds = 60\n');
    const { config, warnings } = parseConfigText(text, 'agent.toml', { env: {} });
    expect(config.dedupe).toMatchObject({ cache_size: 5, ttl_seconds: 60, store: 'file' });
    expect(warnings.map((w) => w.path)).toEqual(['idempotency']);
    expect(warnings[0]?.message).toContain('dedupe.cache_size, dedupe.ttl_seconds');
  });

  it('a key [dedupe] sets wins over the old table', () => {
    const text = base('[dedupe]\ncache_size = 7\n[idempotency]\ncache_size = 5\n');
    expect(parseConfigText(text, 'agent.toml', { env: {} }).config.dedupe.cache_size).toBe(7);
  });

  it('store = "redis" needs redis_url_env, pointing at its line', () => {
    expect(problemsOf(base('[dedupe]\nstore = "redis"\n'))).toEqual([
      expect.objectContaining({ path: 'dedupe.redis_url_env' }),
    ]);
  });

  it('an unknown store is refused', () => {
    expect(problemsOf(base('[dedupe]\nstore = "disk"\n'))).toEqual([
      expect.objectContaining({ path: 'dedupe.store', line: 8 }),
    ]);
  });

  it('shared_group with redis on MQTT 5 loads; replica_id is read', () => {
    const text = base(`${redis}`, 'broker_url = "mqtt://127.0.0.1:1883"\nshared_group = "pool"');
    const { config } = parseConfigText(text.replace('id = "a1"', 'id = "a1"\nreplica_id = "r-1"'), 'a.toml', {
      env: {},
    });
    expect(config.mqtt.shared_group).toBe('pool');
    expect(config.agent.replica_id).toBe('r-1');
  });

  it.each([
    ['protocol_version = 4', 'MQTT 5'],
    ['client_id = "fixed"', 'own client id'],
  ])('shared_group refuses %s', (line, words) => {
    const text = base(redis, `broker_url = "mqtt://127.0.0.1:1883"\nshared_group = "pool"\n${line}`);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain(words);
  });

  it('shared_group refuses the embedded broker and a store other than redis', () => {
    const problems = problemsOf(base('', 'broker_url = "embedded"\nshared_group = "pool"'));
    expect(problems).toHaveLength(2);
    expect(problems[0]?.message).toContain('embedded broker');
    expect(problems[1]?.message).toContain('store = "redis"');
  });

  it.each(['a/b', 'a+b', '#', 'with space', ''])('shared_group %j is not a valid group name', (group) => {
    const text = base(redis, `broker_url = "mqtt://127.0.0.1:1883"\nshared_group = ${JSON.stringify(group)}`);
    expect(problemsOf(text)).toEqual([expect.objectContaining({ path: 'mqtt.shared_group' })]);
  });

  it('replica_id without shared_group is a problem (it would change nothing)', () => {
    const text = base('').replace('id = "a1"', 'id = "a1"\nreplica_id = "r1"');
    expect(problemsOf(text)).toEqual([expect.objectContaining({ path: 'agent.replica_id' })]);
  });

  it('the receive maximum stays within MQTT 5 limits', () => {
    expect(problemsOf(base('max_concurrent_tasks = 65535\nprefetch_tasks = 1\n'))).toEqual([
      expect.objectContaining({ path: 'prefetch_tasks' }),
    ]);
  });
});
