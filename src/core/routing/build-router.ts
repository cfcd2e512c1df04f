// The router of a generation ([routing] strategy): the gatekeeper, or the llm router on the agent's own
// provider — or on a second provider instance when [routing.llm] sets another provider, model or temperature.
import type { LoggerV1, ProviderFactoryV1, ProviderV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { ERR_PROVIDER_UNKNOWN } from '../errors.js';
import type { Router } from './decision.js';
import { createGatekeeperRouter } from './gatekeeper-router.js';
import { createLlmRouter } from './llm-router.js';

export interface RouterParts {
  /** The agent's own provider (from [llm]). */
  readonly provider: ProviderV1;
  /** The factory of a provider id, if one is loaded or injected. */
  factoryOf(id: string): ProviderFactoryV1 | undefined;
  /** Create a provider from `factory` with `config`'s [llm] settings (secrets resolved as for the agent's). */
  create(factory: ProviderFactoryV1, config: AgentConfig): ProviderV1;
  readonly log: LoggerV1;
}

/**
 * The config the routing provider is made from: [llm] with [routing.llm]'s keys over it, or undefined
 * when they change nothing (the agent's own provider serves). Another provider does not inherit
 * [llm] base_url (it belongs to the agent's provider); the API key still comes from [llm] api_key_env.
 */
export function routingLlmConfig(config: AgentConfig): AgentConfig | undefined {
  const over = config.routing.llm;
  if (over === undefined) return undefined;
  const { llm } = config;
  const provider = over.provider ?? llm.provider;
  const model = over.model ?? llm.model;
  const temperature = over.temperature ?? llm.temperature;
  if (provider === llm.provider && model === llm.model && temperature === llm.temperature) return undefined;
  const { base_url: baseUrl, ...rest } = llm;
  const kept = provider === llm.provider && baseUrl !== undefined ? { base_url: baseUrl } : {};
  return {
    ...config,
    llm: { ...rest, ...kept, provider, model, ...(temperature !== undefined ? { temperature } : {}) },
  };
}

/** The router `config` asks for; undefined for strategy "none". */
export function buildRouter(config: AgentConfig, parts: RouterParts): Router | undefined {
  const { routing } = config;
  if (routing.strategy === 'none') return undefined;
  if (routing.strategy === 'gatekeeper')
    // The config rules make [routing.gatekeeper] required with this strategy.
    return createGatekeeperRouter(routing.gatekeeper!, { log: parts.log });
  const own = routingLlmConfig(config);
  if (own === undefined) return createLlmRouter(parts.provider);
  const factory = parts.factoryOf(own.llm.provider);
  if (factory === undefined)
    throw new ERR_PROVIDER_UNKNOWN({
      provider: own.llm.provider,
      available: [config.llm.provider],
      key: 'routing.llm.provider',
    });
  return createLlmRouter(parts.create(factory, own));
}
