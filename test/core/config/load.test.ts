import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadConfigFile, parseConfigText } from '../../../src/core/config/load.js';
import { AgentError } from '../../../src/core/errors.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (AgentError.is(err, 'AGENT_ERR_CONFIG_INVALID')) return (err.data as { problems: [] }).problems;
    throw err;
  }
  throw new Error('expected AGENT_ERR_CONFIG_INVALID');
}

const minimal = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;

describe('loadConfig', () => {
  it('loads the Rust version basic example (seed-basic.toml) with every key understood', async () => {
    const { config, warnings } = await loadConfigFile(fixture('seed-basic.toml'), { env: {} });
    expect(config.agent.id).toBe('my-agent-001');
    expect(config.agent.capabilities).toEqual(['general-purpose', 'task-execution']);
    expect(config.mqtt).toMatchObject({ broker_url: 'mqtt://localhost:1883', username_env: 'MQTT_USERNAME' });
    expect(config.llm).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.7,
      max_tokens: 4000,
    });
    expect(config.budget).toEqual({ max_tool_calls: 15, max_iterations: 8 });
    expect(config.tools.web_search?.impl).toBe('builtin');
    expect(config.tools.http_request?.impl).toBe('builtin');
    expect(warnings).toEqual([]);
  });

  it('loads the Rust version advanced example (seed-advanced.toml), hoisting the performance keys TOML scoped into [tools.custom_tool]', async () => {
    const { config, warnings } = await loadConfigFile(fixture('seed-advanced.toml'), { env: {} });
    expect(config.mqtt).toMatchObject({
      broker_url: 'mqtts://secure-mqtt.example.com:8883',
      qos: 1,
      keep_alive: 60,
      ca_cert_path: '/app/certs/ca.crt',
      client_cert_path: '/app/certs/client.crt',
      client_key_path: '/app/certs/client.key',
    });
    expect(config.tools.http_request).toMatchObject({
      impl: 'builtin',
      config: { max_response_size: 1048576 },
    });
    expect(config.tools.custom_tool).toMatchObject({
      impl: 'external',
      command: '/usr/local/bin/my-tool',
      config: { working_dir: '/tmp', max_execution_time: 60 },
    });
    expect(config.max_pipeline_depth).toBe(16);
    expect(config.task_timeout).toBe(300);
    expect(config.max_output_size).toBe(2097152);
    expect(warnings.map((w) => w.path)).toEqual([
      'tools.custom_tool.max_pipeline_depth',
      'tools.custom_tool.task_timeout',
      'tools.custom_tool.max_output_size',
    ]);
  });

  it('applies defaults from docs/protocol.md', () => {
    const { config } = parseConfigText(minimal, 'a.toml', { env: {} });
    expect(config).toMatchObject({
      max_pipeline_depth: 16,
      task_timeout: 300,
      max_output_size: 2 * 1024 * 1024,
      max_concurrent_tasks: 8,
      max_message_bytes: 262144,
      dedupe: {
        store: 'file',
        cache_size: 10000,
        ttl_seconds: 86400,
        file: 'dedupe.journal',
        key_prefix: 'agent2389',
      },
      prefetch_tasks: 4,
      lifecycle: { heartbeat_seconds: 30, shutdown_grace_seconds: 30 },
    });
  });

  it('RULE-001: rejects a bad agent id with path, found value and expectation', () => {
    const problems = problemsOf(() =>
      parseConfigText(minimal.replace('"a1"', '"my agent"'), 'a.toml', { env: {} }),
    );
    expect(problems).toEqual([
      { path: 'agent.id', message: '"my agent" must match [a-zA-Z0-9._-]+ (line 2)', line: 2 },
    ]);
  });

  it('reports one problem per bad key', () => {
    const text =
      minimal + `temperature = 3\n[budget]\nmax_tool_calls = "many"\n` + `[mqtt.embedded]\nport = 70000\n`;
    const problems = problemsOf(() => parseConfigText(text, 'a.toml', { env: {} }));
    expect(problems.map((p) => p.path).sort()).toEqual([
      'budget.max_tool_calls',
      'llm.temperature',
      'mqtt.embedded.port',
    ]);
    expect(problems.find((p) => p.path === 'llm.temperature')?.message).toMatch(/^3 must be ≤ 2/);
  });

  it('names a missing required key', () => {
    const problems = problemsOf(() =>
      parseConfigText('[agent]\nid = "x"\n[llm]\nprovider = "s"\n', 'a.toml', { env: {} }),
    );
    expect(problems).toEqual([{ path: 'mqtt', message: 'is required' }]);
  });

  it('warns about unknown keys with a suggestion', () => {
    const { warnings } = parseConfigText(
      minimal.replace('[llm]', '[llm]\nmodle = "x"') + 'max_pipline_depth = 3\n',
      'a.toml',
      { env: {} },
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: 'llm.modle',
        message: expect.stringContaining('did you mean llm.model?') as string,
        unknownKey: { suggestion: 'llm.model' },
        line: 6,
      }),
    );
  });

  it('gives a coded syntax error with a line', () => {
    try {
      parseConfigText('[agent]\nid = \n', 'bad.toml');
      expect.unreachable();
    } catch (err) {
      expect(AgentError.is(err, 'AGENT_ERR_CONFIG_PARSE')).toBe(true);
      expect((err as AgentError<string, { line: number }>).data.line).toBe(2);
    }
  });

  it('applies environment overrides and names the variable in errors', () => {
    const env = {
      AGENT_ID: 'from-env',
      MQTT_BROKER_URL: 'mqtt://127.0.0.1:1999',
      HEALTH_PORT: '9999',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'pretty',
    };
    const { config } = parseConfigText(minimal, 'a.toml', { env });
    expect(config.agent.id).toBe('from-env');
    expect(config.mqtt.broker_url).toBe('mqtt://127.0.0.1:1999');
    expect(config.health.port).toBe(9999);
    expect(config.log).toEqual({ level: 'debug', format: 'pretty', redact: [] });
    const problems = problemsOf(() => parseConfigText(minimal, 'a.toml', { env: { AGENT_ID: 'bad id' } }));
    expect(problems[0]).toEqual({
      path: 'agent.id',
      message: '"bad id" must match [a-zA-Z0-9._-]+ (from AGENT_ID)',
    });
  });

  it('rejects MQTT 5 on the embedded broker', () => {
    const problems = problemsOf(() =>
      parseConfigText(minimal.replace('"embedded"', '"embedded"\nprotocol_version = 5'), 'a.toml', {
        env: {},
      }),
    );
    expect(problems[0]?.path).toBe('mqtt.protocol_version');
  });

  it('reports an unreadable file with a code', async () => {
    await expect(loadConfigFile('/nonexistent/agent.toml')).rejects.toMatchObject({
      code: 'AGENT_ERR_CONFIG_NOT_FOUND',
    });
  });

  it('without [llm] falls back to the scripted provider with a warning', () => {
    const { config, warnings } = parseConfigText(
      '[agent]\nid = "x"\n[mqtt]\nbroker_url = "embedded"\n',
      'a.toml',
      {
        env: {},
      },
    );
    expect(config.llm.provider).toBe('scripted');
    expect(warnings.map((w) => w.path)).toEqual(['llm']);
  });

  it('[plugins] dirs are resolved relative to the config file', () => {
    const text =
      '[agent]\nid = "x"\n[mqtt]\nbroker_url = "embedded"\n[plugins]\ndirs = ["./plugins", "/abs/p"]\n';
    const { config } = parseConfigText(text, '/etc/agents/a.toml', { env: {} });
    expect(config.plugins).toEqual({
      dirs: ['/etc/agents/plugins', '/abs/p'],
      npm: true,
      setup_timeout_ms: 10000,
    });
  });
});
