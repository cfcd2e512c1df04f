import { describe, expect, it } from 'vitest';

import { applyModeOf, diffConfigs, summarizeChanges } from '../../../src/core/config/diff.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';

const base = `
[agent]
id = "a1"
capabilities = ["x"]
[mqtt]
broker_url = "mqtt://127.0.0.1:1883"
[llm]
provider = "scripted"
system_prompt = "v1"
[tools]
echo = "builtin"
current_time = "builtin"
`;
const configOf = (text: string): AgentConfig => parseConfigText(text, '/tmp/a.toml', { env: {} }).config;

describe('diffConfigs', () => {
  it('finds nothing between equal configs', () => {
    expect(diffConfigs(configOf(base), configOf(base))).toEqual([]);
  });

  it('names each changed key with its values and how it applies', () => {
    const next = configOf(
      base
        .replace('system_prompt = "v1"', 'system_prompt = "v2"\ntemperature = 0.5')
        .replace('broker_url = "mqtt://127.0.0.1:1883"', 'broker_url = "mqtt://127.0.0.1:1884"'),
    );
    const changes = diffConfigs(configOf(base), next);
    expect(changes).toEqual(
      expect.arrayContaining([
        {
          key: 'mqtt.broker_url',
          kind: 'changed',
          from: 'mqtt://127.0.0.1:1883',
          to: 'mqtt://127.0.0.1:1884',
          applies: 'reconnect',
        },
        { key: 'llm.system_prompt', kind: 'changed', from: 'v1', to: 'v2', applies: 'live' },
        { key: 'llm.temperature', kind: 'added', to: 0.5, applies: 'live' },
      ]),
    );
    expect(changes).toHaveLength(3);
  });

  it('treats each [tools] entry as one value: added, removed, reconfigured', () => {
    const next = configOf(
      base.replace('current_time = "builtin"', '') + '\n[tools.http_request]\nimpl = "builtin"\n',
    );
    const keys = diffConfigs(configOf(base), next).map((c) => `${c.key} ${c.kind}`);
    expect(keys.sort()).toEqual(['tools.current_time removed', 'tools.http_request added']);
  });

  it('compares arrays whole', () => {
    const next = configOf(base.replace('capabilities = ["x"]', 'capabilities = ["x", "y"]'));
    expect(diffConfigs(configOf(base), next)).toEqual([
      { key: 'agent.capabilities', kind: 'changed', from: ['x'], to: ['x', 'y'], applies: 'live' },
    ]);
  });
});

describe('applyModeOf', () => {
  it.each([
    ['agent.id', 'reconnect'],
    ['mqtt.broker_url', 'reconnect'],
    ['mqtt.embedded.port', 'reconnect'],
    ['agent.description', 'live'],
    ['llm.model', 'live'],
    ['tools.echo', 'live'],
    ['sandbox.timeout_seconds', 'live'],
    ['log.level', 'live'],
    ['log.format', 'restart'],
    ['health.port', 'restart'],
  ])('%s applies %s', (key, mode) => {
    expect(applyModeOf(key)).toBe(mode);
  });
});

describe('summarizeChanges', () => {
  it('shows short values and only names long ones', () => {
    const line = summarizeChanges([
      { key: 'budget.max_tool_calls', kind: 'changed', from: 15, to: 20, applies: 'live' },
      { key: 'llm.system_prompt', kind: 'changed', from: 'a'.repeat(50), to: 'b', applies: 'live' },
      { key: 'tools.word_count', kind: 'added', to: { impl: 'script' }, applies: 'live' },
    ]);
    expect(line).toBe('budget.max_tool_calls 15 → 20, llm.system_prompt changed, tools.word_count added');
    expect(summarizeChanges([])).toBe('no changes');
  });
});
