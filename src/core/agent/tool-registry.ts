// The agent's tools: the configured allow-list, each with its schema compiled once (ajv) [NFR-005].
import type { ValidateFunction } from 'ajv';

import type { ToolDescriptionV1, ToolFactoryV1, ToolV1 } from '../../../tool-sdk/src/index.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_CONFIG_UNSUPPORTED, ERR_TOOL_UNKNOWN } from '../errors.js';
import { NOT_YET_SUPPORTED } from '../host/plan.js';
import { compileJsonSchema } from '../json-schema.js';

export interface RegisteredTool {
  readonly name: string;
  readonly tool: ToolV1;
  readonly description: ToolDescriptionV1;
  readonly validate: ValidateFunction;
  readonly config: Record<string, unknown>;
}

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  /** Resolve every `[tools]` entry against the available factories. Throws on unknown or unsupported impls. */
  static fromConfig(config: AgentConfig, factories: readonly ToolFactoryV1[]): ToolRegistry {
    const registry = new ToolRegistry();
    const byName = new Map(factories.map((f) => [f.name, f]));
    for (const [name, entry] of Object.entries(config.tools)) {
      const notYet = NOT_YET_SUPPORTED[entry.impl];
      if (notYet) throw new ERR_CONFIG_UNSUPPORTED({ key: `tools.${name}.impl`, reason: notYet });
      if (entry.impl !== 'builtin') {
        throw new ERR_CONFIG_UNSUPPORTED({
          key: `tools.${name}.impl`,
          reason: `"${entry.impl}" is not supported: use "builtin" (plugin tools arrive with the plugin host)`,
        });
      }
      const factory = byName.get(name);
      if (!factory) throw new ERR_TOOL_UNKNOWN({ tool: name, available: [...byName.keys()].sort() });
      const tool = factory.create();
      const description = tool.describe();
      registry.#tools.set(name, {
        name,
        tool,
        description: { ...description, name },
        validate: compileJsonSchema(description.parameters),
        config: entry.config,
      });
    }
    return registry;
  }

  /** A registry from tools resolved elsewhere (plugins); schemas are compiled here, once. */
  static fromEntries(
    entries: ReadonlyArray<{
      name: string;
      tool: ToolV1;
      description: ToolDescriptionV1;
      config: Record<string, unknown>;
    }>,
  ): ToolRegistry {
    const registry = new ToolRegistry();
    for (const e of entries) {
      registry.#tools.set(e.name, {
        ...e,
        description: { ...e.description, name: e.name },
        validate: compileJsonSchema(e.description.parameters),
      });
    }
    return registry;
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  get names(): string[] {
    return [...this.#tools.keys()];
  }

  /** Descriptions sent to the LLM. */
  get descriptions(): ToolDescriptionV1[] {
    return [...this.#tools.values()].map((t) => t.description);
  }

  [Symbol.iterator](): IterableIterator<RegisteredTool> {
    return this.#tools.values();
  }
}
