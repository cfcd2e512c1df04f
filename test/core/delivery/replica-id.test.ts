import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { clientIdOf, inputSubscription, replicaIdOf } from '../../../src/core/delivery/replica-id.js';

const config = (agent: string, mqtt: string, extra = '') =>
  parseConfigText(
    `[agent]\nid = "w1"\n${agent}\n[mqtt]\nbroker_url = "mqtt://127.0.0.1:1883"\n${mqtt}\n[llm]\nprovider = "scripted"\n${extra}`,
    'a.toml',
    { env: {} },
  ).config;
const redis = '[dedupe]\nstore = "redis"\nredis_url_env = "R"\n';

describe('replica identity', () => {
  it('replica_id defaults to hostname-pid-random, with unsafe characters replaced', () => {
    expect(replicaIdOf(config('', ''), 'pod/7 x', 42, 'ab12')).toBe('pod-7-x-42-ab12');
    expect(replicaIdOf(config('', ''))).toMatch(/^[a-zA-Z0-9._-]+-\d+-[0-9a-f]{4}$/);
    expect(replicaIdOf(config('', ''))).not.toBe(replicaIdOf(config('', ''))); // two starts differ
  });

  it('an explicit replica_id is used as it is', () => {
    expect(replicaIdOf(config('replica_id = "r-1"', 'shared_group = "g"', redis))).toBe('r-1');
  });

  it('the client id: [mqtt] client_id, else agent2389-{id}; a replica adds its replica id', () => {
    expect(clientIdOf(config('', ''), 'r1')).toBe('agent2389-w1');
    expect(clientIdOf(config('', 'client_id = "fixed"'), 'r1')).toBe('fixed');
    expect(clientIdOf(config('', 'shared_group = "g"', redis), 'r1')).toBe('agent2389-w1-r1');
  });

  it('the input subscription: the topic, or $share/{group}/ followed by the topic (which starts with /)', () => {
    expect(inputSubscription(config('', ''))).toBe('/control/agents/w1/input');
    expect(inputSubscription(config('', 'shared_group = "pool"', redis))).toBe(
      '$share/pool//control/agents/w1/input',
    );
  });
});
