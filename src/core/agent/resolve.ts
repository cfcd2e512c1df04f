// Startup step 1 beyond parsing: resolve secrets, the provider and the tools named by the config.
import type { LoggerV1, ProviderFactoryV1, ProviderV1, ToolFactoryV1 } from '../../../tool-sdk/src/index.js';
import type { AgentConfig } from '../config/schema.js';
import { resolveSecrets, type ResolvedSecrets } from '../config/secrets.js';
import { ERR_PROVIDER_UNKNOWN } from '../errors.js';
import { ToolRegistry } from './tool-registry.js';

export interface ResolvedParts {
  secrets: ResolvedSecrets;
  provider: ProviderV1;
  tools: ToolRegistry;
}

export function resolveParts(
  config: AgentConfig,
  available: { providers: readonly ProviderFactoryV1[]; tools: readonly ToolFactoryV1[] },
  env: NodeJS.ProcessEnv,
  log: LoggerV1,
): ResolvedParts {
  const factory = available.providers.find((p) => p.id === config.llm.provider);
  if (!factory) {
    throw new ERR_PROVIDER_UNKNOWN({
      provider: config.llm.provider,
      available: available.providers.map((p) => p.id).sort(),
    });
  }
  const secrets = resolveSecrets(config, env, { providerRequiresApiKey: factory.requiresApiKey });
  const { llm } = config;
  const provider = factory.create(
    {
      model: llm.model,
      ...(secrets.llmApiKey !== undefined ? { apiKey: secrets.llmApiKey } : {}),
      ...(llm.base_url !== undefined ? { baseUrl: llm.base_url } : {}),
      ...(llm.temperature !== undefined ? { temperature: llm.temperature } : {}),
      ...(llm.max_tokens !== undefined ? { maxTokens: llm.max_tokens } : {}),
      options: { timeout: llm.timeout, max_retries: llm.max_retries },
    },
    { log: log.child({ provider: factory.id }) },
  );
  const tools = ToolRegistry.fromConfig(config, available.tools);
  return { secrets, provider, tools };
}
