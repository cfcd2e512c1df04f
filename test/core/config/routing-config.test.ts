// The [routing] table (issue 17): defaults, the Rust keys, the gatekeeper rule, hot reload.
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { diffConfigs } from '../../../src/core/config/diff.js';
import { loadConfigFile, parseConfigText } from '../../../src/core/config/load.js';
import { AgentError, type ConfigProblem } from '../../../src/core/errors.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

const minimal = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;

const parse = (extra: string) => parseConfigText(minimal + extra, 'a.toml', { env: {} });

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

describe('[routing] config', () => {
  it('defaults to strategy none (v1 behaviour)', () => {
    const { config, warnings } = parse('');
    expect(config.routing).toEqual({
      strategy: 'none',
      max_iterations: 10,
      allow_self: false,
      on_router_error: 'complete',
    });
    expect(warnings).toEqual([]);
  });

  it('loads the Rust implementation routing keys (seed-routing.toml) with no warning', async () => {
    const { config, warnings } = await loadConfigFile(fixture('seed-routing.toml'), { env: {} });
    expect(warnings).toEqual([]);
    expect(config.routing).toEqual({
      strategy: 'llm',
      max_iterations: 10,
      allow_self: false,
      on_router_error: 'complete',
      llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.1 },
      gatekeeper: { url: 'https://gatekeeper.2389.dev/route', timeout_ms: 5000, retry_attempts: 3 },
    });
    expect(config.lifecycle.heartbeat_seconds).toBe(300);
    expect(config.budget).toEqual({ max_tool_calls: 40, max_iterations: 20 });
  });

  it('reads every key', () => {
    const { config } = parse(
      '[routing]\nstrategy = "gatekeeper"\nmax_iterations = 3\nallow_self = true\n' +
        'on_router_error = "fail"\nstale_after_seconds = 12.5\n' +
        '[routing.gatekeeper]\nurl = "http://127.0.0.1:8080/route"\n',
    );
    expect(config.routing).toEqual({
      strategy: 'gatekeeper',
      max_iterations: 3,
      allow_self: true,
      on_router_error: 'fail',
      stale_after_seconds: 12.5,
      gatekeeper: { url: 'http://127.0.0.1:8080/route', timeout_ms: 5000, retry_attempts: 3 },
    });
  });

  it('strategy = "gatekeeper" without [routing.gatekeeper] is a coded problem naming routing.gatekeeper.url', () => {
    expect(problemsOf('[routing]\nstrategy = "gatekeeper"\n')).toEqual([
      expect.objectContaining({ path: 'routing.gatekeeper.url', line: minimal.split('\n').length }),
    ]);
  });

  it('a [routing.gatekeeper] table without url is a problem at routing.gatekeeper.url', () => {
    const problems = problemsOf(
      '[routing]\nstrategy = "gatekeeper"\n[routing.gatekeeper]\ntimeout_ms = 100\n',
    );
    expect(problems.map((p) => p.path)).toEqual(['routing.gatekeeper.url']);
  });

  it.each([
    ['ftp://example.com/route'],
    ['file:///etc/passwd'],
    ['127.0.0.1:8080/route'],
    ['mqtt://broker:1883'],
    ['http://'],
  ])('the gatekeeper url must be http(s): %s is refused', (url) => {
    const problems = problemsOf(`[routing.gatekeeper]\nurl = "${url}"\n`);
    expect(problems).toEqual([expect.objectContaining({ path: 'routing.gatekeeper.url' })]);
  });

  it('accepts an https URL and an IPv6 host', () => {
    for (const url of ['https://gk.example.com/route', 'http://[::1]:8080/']) {
      expect(parse(`[routing.gatekeeper]\nurl = "${url}"\n`).config.routing.gatekeeper?.url).toBe(url);
    }
  });

  it.each([
    ['routing.strategy', '[routing]\nstrategy = "random"\n'],
    ['routing.strategy', '[routing]\nstrategy = "LLM"\n'],
    ['routing.max_iterations', '[routing]\nmax_iterations = 0\n'],
    ['routing.max_iterations', '[routing]\nmax_iterations = 2.5\n'],
    ['routing.allow_self', '[routing]\nallow_self = "yes"\n'],
    ['routing.on_router_error', '[routing]\non_router_error = "retry"\n'],
    ['routing.stale_after_seconds', '[routing]\nstale_after_seconds = 0\n'],
    ['routing.llm.temperature', '[routing.llm]\ntemperature = 3\n'],
    ['routing.llm.provider', '[routing.llm]\nprovider = ""\n'],
    ['routing.gatekeeper.timeout_ms', '[routing.gatekeeper]\nurl = "http://h/"\ntimeout_ms = 0\n'],
    ['routing.gatekeeper.retry_attempts', '[routing.gatekeeper]\nurl = "http://h/"\nretry_attempts = -1\n'],
  ])('rejects a bad %s', (path, extra) => {
    expect(problemsOf(extra).map((p) => p.path)).toEqual([path]);
  });

  it('warns about unknown keys in [routing] and its tables, with a suggestion', () => {
    const { warnings } = parse(
      '[routing]\nmax_iteration = 3\n[routing.gatekeeper]\nurl = "http://h/"\ntimeout = 100\n',
    );
    expect(warnings).toMatchObject([
      { path: 'routing.max_iteration', message: expect.stringContaining('routing.max_iterations') as string },
      { path: 'routing.gatekeeper.timeout', message: expect.any(String) as string },
    ]);
    expect(warnings).toHaveLength(2);
  });

  it('a [routing] change applies live (next task, no reconnect)', () => {
    const before = parse('').config;
    const after = parse(
      '[routing]\nstrategy = "llm"\nmax_iterations = 4\nstale_after_seconds = 60\n' +
        '[routing.llm]\nmodel = "m"\n[routing.gatekeeper]\nurl = "http://h/"\n',
    ).config;
    const changes = diffConfigs(before, after);
    expect(changes.map((c) => c.key).sort()).toEqual([
      'routing.gatekeeper.retry_attempts',
      'routing.gatekeeper.timeout_ms',
      'routing.gatekeeper.url',
      'routing.llm.model',
      'routing.max_iterations',
      'routing.stale_after_seconds',
      'routing.strategy',
    ]);
    expect(new Set(changes.map((c) => c.applies))).toEqual(new Set(['live']));
  });
});
