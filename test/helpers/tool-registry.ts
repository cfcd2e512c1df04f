// Build a ToolRegistry for unit tests from a config's [tools] keys and in-code tool factories.
import type { ToolFactoryV1 } from '@agent2389/tool-sdk';
import { ToolRegistry } from '../../src/core/agent/tool-registry.js';
import type { AgentConfig } from '../../src/core/config/schema.js';

/** Every `[tools]` entry must have a factory of the same name (tests only; startup resolves via plugins). */
export function registryFor(config: AgentConfig, factories: readonly ToolFactoryV1[]): ToolRegistry {
  return ToolRegistry.fromEntries(
    Object.entries(config.tools).map(([name, entry]) => {
      const factory = factories.find((f) => f.name === name);
      if (!factory) throw new Error(`test setup: no factory for tool "${name}"`);
      const tool = factory.create();
      return { name, tool, description: tool.describe(), config: entry.config };
    }),
  );
}
