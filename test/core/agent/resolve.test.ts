import { describe, expect, it } from 'vitest';

import { resolveParts } from '../../../src/core/agent/resolve.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import type { LoggerV1, ProviderFactoryV1, ProviderSettingsV1, ToolFactoryV1 } from '@agent2389/tool-sdk';
import { rejected } from '../../helpers/thrown.js';

const configOf = (llm: string, extra = ''): AgentConfig =>
  parseConfigText(`[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\n${llm}\n${extra}`, 'a.toml', {
    env: {},
  }).config;

/** A logger that records the bindings of every child it makes. */
function bindingLogger(): { log: LoggerV1; children: Record<string, unknown>[] } {
  const children: Record<string, unknown>[] = [];
  const noop = (): void => undefined;
  const log: LoggerV1 = {
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    child: (bindings) => {
      children.push(bindings);
      return log;
    },
  };
  return { log, children };
}

function fakeProvider(id: string, requiresApiKey = false) {
  const created: ProviderSettingsV1[] = [];
  const factory: ProviderFactoryV1 = {
    id,
    requiresApiKey,
    create: (settings) => {
      created.push(settings);
      return {
        specificationVersion: 'v1',
        id,
        doGenerate: () => Promise.resolve({ text: '', toolCalls: [], finishReason: 'stop' }),
      };
    },
  };
  return { factory, created };
}

const echoTool: ToolFactoryV1 = {
  name: 'echo',
  create: () => ({
    specificationVersion: 'v1',
    describe: () => ({ name: 'echo', description: 'echo', parameters: { type: 'object' } }),
    execute: (input) => input,
  }),
};

describe('resolveParts', () => {
  it('reports an unknown provider with the available ids sorted', async () => {
    const providers = [
      fakeProvider('zeta').factory,
      fakeProvider('alpha').factory,
      fakeProvider('mid').factory,
    ];
    const err = await rejected(
      resolveParts(configOf('provider = "nope"'), { providers, tools: [] }, {}, bindingLogger().log),
    );
    expect(err.code).toBe('AGENT_ERR_PROVIDER_UNKNOWN');
    expect(err.data).toEqual({ provider: 'nope', available: ['alpha', 'mid', 'zeta'] });
  });

  it('creates the configured provider with a child logger bound to its id', async () => {
    const chosen = fakeProvider('scripted');
    const other = fakeProvider('other');
    const { log, children } = bindingLogger();
    const parts = await resolveParts(
      configOf('provider = "scripted"'),
      { providers: [other.factory, chosen.factory], tools: [] },
      {},
      log,
    );
    expect(parts.provider.id).toBe('scripted');
    expect(chosen.created).toHaveLength(1);
    expect(other.created).toHaveLength(0);
    expect(children).toContainEqual({ provider: 'scripted' });
  });

  it('passes model, baseUrl, temperature, maxTokens and options to create()', async () => {
    const { factory, created } = fakeProvider('openai');
    const llm =
      'provider = "openai"\nmodel = "gpt-x"\nbase_url = "http://localhost:11434/v1"\n' +
      'temperature = 0.3\nmax_tokens = 256\ntimeout = 30\nmax_retries = 2';
    await resolveParts(configOf(llm), { providers: [factory], tools: [] }, {}, bindingLogger().log);
    expect(created[0]).toEqual({
      model: 'gpt-x',
      baseUrl: 'http://localhost:11434/v1',
      temperature: 0.3,
      maxTokens: 256,
      options: { timeout: 30, max_retries: 2 },
    });
  });

  it('omits settings the config does not set', async () => {
    const { factory, created } = fakeProvider('openai');
    await resolveParts(
      configOf('provider = "openai"'),
      { providers: [factory], tools: [] },
      {},
      bindingLogger().log,
    );
    const settings = created[0]!;
    expect(settings.model).toBe('');
    for (const key of ['apiKey', 'baseUrl', 'temperature', 'maxTokens'])
      expect(settings).not.toHaveProperty(key);
  });

  it('NFR-004: gives a provider that requires a key the value of the variable api_key_env names', async () => {
    const { factory, created } = fakeProvider('openai', true);
    const config = configOf('provider = "openai"\napi_key_env = "T_RESOLVE_KEY"');
    const parts = await resolveParts(
      config,
      { providers: [factory], tools: [] },
      { T_RESOLVE_KEY: 'resolve-key-1', OPENAI_API_KEY: 'not-this-one' },
      bindingLogger().log,
    );
    expect(created[0]!.apiKey).toBe('resolve-key-1');
    expect(parts.secrets.llmApiKey).toBe('resolve-key-1');
  });

  it('NFR-004: fails before creating a provider whose required key variable is unset', async () => {
    const { factory, created } = fakeProvider('openai', true);
    const config = configOf('provider = "openai"\napi_key_env = "T_RESOLVE_KEY"');
    const err = await rejected(
      resolveParts(config, { providers: [factory], tools: [] }, {}, bindingLogger().log),
    );
    expect(err.code).toBe('AGENT_ERR_CONFIG_SECRET_MISSING');
    expect(err.data).toMatchObject({ variable: 'T_RESOLVE_KEY' });
    expect(created).toHaveLength(0);
  });

  it('resolves the configured tools against the available factories', async () => {
    const { factory } = fakeProvider('scripted');
    const config = configOf('provider = "scripted"', '[tools]\necho = "builtin"\n');
    const parts = await resolveParts(
      config,
      { providers: [factory], tools: [echoTool] },
      {},
      bindingLogger().log,
    );
    expect(parts.tools.names).toEqual(['echo']);
  });

  it('reports a configured tool that no factory provides', async () => {
    const { factory } = fakeProvider('scripted');
    const config = configOf('provider = "scripted"', '[tools]\nmissing = "builtin"\n');
    const err = await rejected(
      resolveParts(config, { providers: [factory], tools: [echoTool] }, {}, bindingLogger().log),
    );
    expect(err.code).toBe('AGENT_ERR_TOOL_UNKNOWN');
    expect(err.data).toEqual({ tool: 'missing', available: ['echo'] });
  });
});
