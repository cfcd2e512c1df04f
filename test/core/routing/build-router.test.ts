import type { GenerateRequestV1, ProviderFactoryV1, ProviderV1 } from '@agent2389/tool-sdk';
import { describe, expect, it } from 'vitest';

import { configSchema, type AgentConfig } from '../../../src/core/config/schema.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { buildRouter, routingLlmConfig, type RouterParts } from '../../../src/core/routing/build-router.js';

const config = (extra: Record<string, unknown> = {}, llm: Record<string, unknown> = {}): AgentConfig =>
  configSchema.parse({
    agent: { id: 'me' },
    mqtt: { broker_url: 'mqtt://localhost:1883' },
    llm: { provider: 'openai', model: 'gpt-4o', base_url: 'http://llm.local/v1', temperature: 0.7, ...llm },
    routing: extra,
  });

/** A provider that answers a complete decision and says which instance it is. */
const provider = (id: string, seen: string[]): ProviderV1 => ({
  specificationVersion: 'v1',
  id,
  doGenerate: (_req: GenerateRequestV1) => {
    seen.push(id);
    return Promise.resolve({
      text: '{"workflow_complete": true}',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  },
});

function parts(factories: Record<string, ProviderFactoryV1> = {}) {
  const seen: string[] = [];
  const created: AgentConfig[] = [];
  const p: RouterParts = {
    provider: provider('own', seen),
    factoryOf: (id) => factories[id],
    create: (factory, cfg) => {
      created.push(cfg);
      return provider(`second:${factory.id}`, seen);
    },
    log: silentLogger,
  };
  return { p, seen, created };
}

const factory = (id: string): ProviderFactoryV1 => ({
  id,
  requiresApiKey: false,
  create: () => provider(id, []),
});
const ask = (r: ReturnType<typeof buildRouter>) =>
  r!.decide(
    {
      original_query: 'q',
      workflow_history: [],
      current_output: 'o',
      available_agents: [],
      iteration_count: 0,
    },
    new AbortController().signal,
  );

describe('buildRouter', () => {
  it('strategy none: no router', () => {
    expect(buildRouter(config(), parts().p)).toBeUndefined();
  });

  it('gatekeeper: the gatekeeper router', () => {
    const r = buildRouter(
      config({ strategy: 'gatekeeper', gatekeeper: { url: 'http://127.0.0.1:1/route' } }),
      parts().p,
    );
    expect(r?.kind).toBe('gatekeeper');
  });

  it('llm without [routing.llm], or with the same settings: the agent own provider', async () => {
    for (const llm of [undefined, { model: 'gpt-4o', temperature: 0.7 }]) {
      const t = parts();
      const r = buildRouter(config({ strategy: 'llm', ...(llm ? { llm } : {}) }), t.p);
      expect(r?.kind).toBe('llm');
      await ask(r);
      expect(t.seen).toEqual(['own']);
      expect(t.created).toEqual([]);
    }
  });

  it('llm with another model or temperature: a second instance of the same provider, [llm] settings kept', async () => {
    const t = parts({ openai: factory('openai') });
    const r = buildRouter(config({ strategy: 'llm', llm: { model: 'gpt-4o-mini', temperature: 0.1 } }), t.p);
    await ask(r);
    expect(t.seen).toEqual(['second:openai']);
    expect(t.created[0]?.llm).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      temperature: 0.1,
      base_url: 'http://llm.local/v1',
    });
  });

  it('llm with another provider: its factory, without [llm] base_url; unknown provider is a coded error', () => {
    const t = parts({ anthropic: factory('anthropic') });
    buildRouter(config({ strategy: 'llm', llm: { provider: 'anthropic', model: 'claude' } }), t.p);
    expect(t.created[0]?.llm).toMatchObject({ provider: 'anthropic', model: 'claude', temperature: 0.7 });
    expect(t.created[0]?.llm.base_url).toBeUndefined();
    expect(() => buildRouter(config({ strategy: 'llm', llm: { provider: 'nope' } }), parts().p)).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_PROVIDER_UNKNOWN' }),
    );
  });

  it('routingLlmConfig: undefined when [routing.llm] changes nothing', () => {
    expect(routingLlmConfig(config({ strategy: 'llm', llm: { provider: 'openai' } }))).toBeUndefined();
  });
});
