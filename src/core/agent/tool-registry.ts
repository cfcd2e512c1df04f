// The agent's tools: the configured allow-list, each with its schema compiled once (ajv) [NFR-005].
import type { ValidateFunction } from 'ajv';

import type { LoggerV1, ToolDescriptionV1, ToolV1 } from '@agent2389/tool-sdk';
import { ERR_MCP_TOOL_CONFLICT, reasonOf } from '../errors.js';
import { compileJsonSchema } from '../json-schema.js';

/** Where a tool's code runs: in-process (`module`), sandboxed, or in an MCP server (`mcp`). */
export type ToolExecutor = 'module' | 'subprocess' | 'script' | 'mcp';

/** A tool before its schema is compiled: resolved at startup, or given by a dynamic source (setGroup). */
export interface ToolEntry {
  readonly name: string;
  readonly tool: ToolV1;
  readonly description: ToolDescriptionV1;
  readonly config: Record<string, unknown>;
  readonly executor?: ToolExecutor;
  readonly timeoutMs?: number;
  /** What the parameters are validated against when not the schema the LLM sees (an MCP server's, made safe). */
  readonly validationSchema?: Record<string, unknown>;
}

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

/** Compile the entry's schema (throws ajv's error if it is not a valid schema). */
function registered({ validationSchema, ...e }: ToolEntry): RegisteredTool {
  return {
    ...e,
    executor: e.executor ?? 'module',
    description: { ...e.description, name: e.name },
    // Defaults declared in the parameters schema are filled in before the tool sees the input.
    validate: compileJsonSchema(validationSchema ?? e.description.parameters, { useDefaults: true }),
  };
}

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();
  /** Dynamic groups (e.g. one plugin set's MCP servers), each replaced as a whole by setGroup. */
  readonly #groups = new Map<string, Map<string, RegisteredTool>>();
  readonly #listeners = new Set<() => void>();

  /** A registry from tools resolved at startup (plugins, injected factories); schemas are compiled here, once. */
  static fromEntries(entries: ReadonlyArray<ToolEntry>): ToolRegistry {
    const registry = new ToolRegistry();
    for (const e of entries) registry.#tools.set(e.name, registered(e));
    return registry;
  }

  /**
   * Replace the tools of `group` ([] removes it). Schemas are compiled here, once; a tool whose schema does
   * not compile is left out with a warning. A name another tool holds → ERR_MCP_TOOL_CONFLICT, nothing changes.
   */
  setGroup(group: string, entries: readonly ToolEntry[], log: LoggerV1): void {
    const tools = new Map<string, RegisteredTool>();
    const seen = new Set<string>();
    for (const e of entries) {
      const holder = this.#holder(e.name, group) ?? (seen.has(e.name) ? `${group}/${e.name}` : undefined);
      if (holder !== undefined)
        throw new ERR_MCP_TOOL_CONFLICT({ name: e.name, tools: [holder, `${group}/${e.name}`] });
      seen.add(e.name);
      try {
        tools.set(e.name, registered(e));
      } catch (err) {
        log.warn(
          { tool: e.name, group, reason: reasonOf(err) },
          'tool left out: its parameters schema is invalid',
        );
      }
    }
    if (tools.size === 0) this.#groups.delete(group);
    else this.#groups.set(group, tools);
    for (const listener of this.#listeners) listener();
  }

  /** Called after every setGroup; returns a function that removes the listener. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Who holds `name` outside `group`: `[tools].<name>` or `<other group>/<name>`. */
  #holder(name: string, group: string): string | undefined {
    if (this.#tools.has(name)) return `[tools].${name}`;
    for (const [other, tools] of this.#groups)
      if (other !== group && tools.has(name)) return `${other}/${name}`;
    return undefined;
  }

  get(name: string): RegisteredTool | undefined {
    const own = this.#tools.get(name);
    if (own) return own;
    for (const tools of this.#groups.values()) {
      const found = tools.get(name);
      if (found) return found;
    }
    return undefined;
  }

  get names(): string[] {
    return [...this].map((t) => t.name);
  }

  /** Descriptions sent to the LLM. */
  get descriptions(): ToolDescriptionV1[] {
    return [...this].map((t) => t.description);
  }

  *[Symbol.iterator](): IterableIterator<RegisteredTool> {
    yield* this.#tools.values();
    for (const tools of this.#groups.values()) yield* tools.values();
  }
}
