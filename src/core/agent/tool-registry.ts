// The agent's tools: the configured allow-list, each with its schema compiled once (ajv) [NFR-005].
import type { ValidateFunction } from 'ajv';

import type { ToolDescriptionV1, ToolV1 } from '@agent2389/tool-sdk';
import { compileJsonSchema } from '../json-schema.js';

/** Where a tool's code runs: in-process (`module`), or sandboxed. */
export type ToolExecutor = 'module' | 'subprocess' | 'script';

export interface RegisteredTool {
  readonly name: string;
  readonly tool: ToolV1;
  readonly description: ToolDescriptionV1;
  readonly validate: ValidateFunction;
  readonly config: Record<string, unknown>;
  readonly executor: ToolExecutor;
  /** Module tools: the per-call deadline (tool-runner.ts); sandboxed executors enforce their own. */
  readonly timeoutMs?: number;
}

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  /** A registry from tools resolved at startup (plugins, injected factories); schemas are compiled here, once. */
  static fromEntries(
    entries: ReadonlyArray<{
      name: string;
      tool: ToolV1;
      description: ToolDescriptionV1;
      config: Record<string, unknown>;
      executor?: ToolExecutor;
      timeoutMs?: number;
    }>,
  ): ToolRegistry {
    const registry = new ToolRegistry();
    for (const e of entries) {
      registry.#tools.set(e.name, {
        ...e,
        executor: e.executor ?? 'module',
        description: { ...e.description, name: e.name },
        // Defaults declared in the parameters schema are filled in before the tool sees the input.
        validate: compileJsonSchema(e.description.parameters, { useDefaults: true }),
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
