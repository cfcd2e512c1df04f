// [mqtt] heartbeat_interval_secs (the Rust implementation's key) is the heartbeat period (issue 17).
import { describe, expect, it } from 'vitest';

import { diffConfigs } from '../../../src/core/config/diff.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { followSettings, type AgentSettingsTargets } from '../../../src/core/agent/follow-settings.js';
import { AgentError, type ConfigProblem } from '../../../src/core/errors.js';

const head = `[agent]\nid = "a1"\n[llm]\nprovider = "scripted"\n[mqtt]\nbroker_url = "embedded"\n`;

const parse = (extra: string) => parseConfigText(head + extra, 'a.toml', { env: {} });

function problemsOf(extra: string): ConfigProblem[] {
  try {
    parse(extra);
  } catch (err) {
    if (AgentError.is(err, 'AGENT_ERR_CONFIG_INVALID'))
      return (err.data as { problems: ConfigProblem[] }).problems;
    throw err;
  }
  throw new Error('expected AGENT_ERR_CONFIG_INVALID');
}

/** 1-based line of `needle` in the config text. */
const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.startsWith(needle)) + 1;

describe('[mqtt] heartbeat_interval_secs', () => {
  it('sets lifecycle.heartbeat_seconds, with no warning and no [mqtt] key left', () => {
    const { config, warnings } = parse('heartbeat_interval_secs = 45\n');
    expect(config.lifecycle.heartbeat_seconds).toBe(45);
    expect(config.mqtt).not.toHaveProperty('heartbeat_interval_secs');
    expect(warnings).toEqual([]);
  });

  it('keeps the other [lifecycle] keys', () => {
    const { config } = parse('heartbeat_interval_secs = 45\n[lifecycle]\nshutdown_grace_seconds = 5\n');
    expect(config.lifecycle).toEqual({ heartbeat_seconds: 45, shutdown_grace_seconds: 5 });
  });

  it('both keys with the same value are fine', () => {
    const { config, warnings } = parse('heartbeat_interval_secs = 45\n[lifecycle]\nheartbeat_seconds = 45\n');
    expect(config.lifecycle.heartbeat_seconds).toBe(45);
    expect(warnings).toEqual([]);
  });

  it('both keys with different values are a coded problem at the alias, with its line', () => {
    const extra = 'heartbeat_interval_secs = 45\n[lifecycle]\nheartbeat_seconds = 30\n';
    expect(problemsOf(extra)).toEqual([
      expect.objectContaining({
        path: 'mqtt.heartbeat_interval_secs',
        line: lineOf(head + extra, 'heartbeat_interval_secs'),
      }),
    ]);
  });

  it.each([
    ['0', '0'],
    ['negative', '-5'],
    ['a string', '"30"'],
    ['a table', '{ s = 1 }'],
  ])('an invalid value (%s) is a problem at the alias', (_name, value) => {
    const extra = `heartbeat_interval_secs = ${value}\n`;
    expect(problemsOf(extra)).toEqual([
      expect.objectContaining({
        path: 'mqtt.heartbeat_interval_secs',
        line: lineOf(head + extra, 'heartbeat'),
      }),
    ]);
  });

  it('an alias problem is reported with the schema problems', () => {
    const problems = problemsOf('heartbeat_interval_secs = -1\n[budget]\nmax_tool_calls = "x"\n');
    expect(problems.map((p) => p.path).sort()).toEqual([
      'budget.max_tool_calls',
      'mqtt.heartbeat_interval_secs',
    ]);
  });

  it('a change applies live as lifecycle.heartbeat_seconds (heartbeat restarted, no reconnect)', () => {
    const before = parse('heartbeat_interval_secs = 45\n').config;
    const after = parse('heartbeat_interval_secs = 10\n').config;
    const changes = diffConfigs(before, after);
    expect(changes).toEqual([
      { key: 'lifecycle.heartbeat_seconds', kind: 'changed', from: 45, to: 10, applies: 'live' },
    ]);
    const calls: string[] = [];
    const targets = {
      queue: { setMax: () => calls.push('queue') },
      resizeDedupe: () => calls.push('dedupe'),
      restartHeartbeat: () => calls.push('heartbeat'),
      providerChanged: () => calls.push('provider'),
    } as unknown as AgentSettingsTargets; // only the members followSettings calls
    followSettings(after, changes, targets);
    expect(calls).toEqual(['heartbeat']);
  });
});
