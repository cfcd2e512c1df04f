// The MCP servers of one plugin set as one source of tools: start them, name their tools, follow changes, close.
import type { LoggerV1, ToolDescriptionV1, ToolV1 } from '@agent2389/tool-sdk';

import { reasonOf } from '../errors.js';
import { createMcpTool, inputSchemaProblem, type McpProgressListener } from './mcp-tool.js';
import { validationSchema } from './safe-schema.js';
import { McpSupervisor, type McpSupervisorOptions } from './supervisor.js';
import { findToolNames, mcpToolLabel } from './tool-names.js';
import type { ConnectMcp, McpServerSpec } from './types.js';

export interface McpToolsOptions {
  readonly connect: ConnectMcp;
  /** The agent's environment: the only source of the servers' allow-listed variables. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: LoggerV1;
  /** Aborts starts (agent shutdown). */
  readonly signal: AbortSignal;
  /** The SandboxRuntime whose close kills the stdio servers' process groups. */
  readonly owner?: object;
  /** Agent tool names already in use (the `[tools]` entries): an MCP tool may not take one. */
  readonly takenNames?: Iterable<string>;
  /** Progress of a call (the coordinator republishes it as a `tool_progress` event). */
  readonly onProgress?: McpProgressListener;
  /** Supervisor tuning: clock, backoff, debounce, close grace (tests inject a clock). */
  readonly supervisor?: Omit<McpSupervisorOptions, 'connect' | 'ctx'>;
}

/** A ToolRegistry entry (ToolRegistry.setGroup) for one MCP tool. */
export interface McpToolEntry {
  readonly name: string;
  readonly tool: ToolV1;
  readonly description: ToolDescriptionV1;
  readonly config: Record<string, unknown>;
  readonly executor: 'mcp';
  /** The inputSchema without the keywords that would run the server's regexes (safe-schema.ts). */
  readonly validationSchema: Record<string, unknown>;
}

export interface McpTools {
  /** One supervisor per server, in spec order (state, restarts, onStateChange: for metrics). */
  readonly servers: readonly McpSupervisor[];
  /** The tools of all servers that are up now. */
  entries(): McpToolEntry[];
  /** Called with all entries whenever any server's tool set changes. */
  onChange(listener: (entries: McpToolEntry[]) => void): () => void;
  /** Start the lazy servers not started yet (first task); a failure is logged, the server retries with backoff. */
  startLazy(): Promise<void>;
  /** Close every server after its in-flight calls (bounded). */
  close(): Promise<void>;
}

class McpToolSet implements McpTools {
  readonly servers: readonly McpSupervisor[];
  readonly #specs: ReadonlyMap<string, McpServerSpec>;
  readonly #opts: McpToolsOptions;
  readonly #listeners = new Set<(entries: McpToolEntry[]) => void>();
  #entries: McpToolEntry[] = [];

  constructor(servers: readonly McpSupervisor[], specs: readonly McpServerSpec[], opts: McpToolsOptions) {
    this.servers = servers;
    this.#specs = new Map(specs.map((s) => [s.name, s]));
    this.#opts = opts;
  }

  entries(): McpToolEntry[] {
    return this.#entries;
  }

  onChange(listener: (entries: McpToolEntry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async startLazy(): Promise<void> {
    await Promise.all(
      this.servers
        .filter((s) => s.state === 'idle')
        .map((s) =>
          s.start().catch((err: unknown) => {
            this.#opts.log.error({ mcp_server: s.server, reason: reasonOf(err) }, 'MCP server did not start');
          }),
        ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }

  /** Name every server's tools (spec order: an earlier holder keeps a name); `strict` throws a collision. */
  rebuild(strict: boolean): void {
    const taken = new Map<string, string>();
    for (const name of this.#opts.takenNames ?? []) taken.set(name, `[tools].${name}`);
    const entries: McpToolEntry[] = [];
    for (const sup of this.servers) {
      const spec = this.#specs.get(sup.server);
      if (!spec) continue;
      const { named, conflicts } = findToolNames(sup.server, sup.tools, taken);
      if (strict && conflicts[0]) throw conflicts[0];
      for (const c of conflicts)
        this.#opts.log.error({ code: c.code, ...c.data }, 'MCP tools left out: their names collide');
      for (const n of named) {
        const problem = inputSchemaProblem(n.info.inputSchema);
        const safe = problem === undefined ? validationSchema(n.info.inputSchema) : { problem };
        if ('problem' in safe) {
          this.#opts.log.warn(
            { mcp_server: sup.server, tool: n.agentName, reason: safe.problem },
            'MCP tool left out',
          );
          continue;
        }
        taken.set(n.agentName, mcpToolLabel(sup.server, n.info.name));
        const tool = createMcpTool(n, sup, {
          timeoutMs: spec.timeoutMs,
          ...(this.#opts.onProgress ? { onProgress: this.#opts.onProgress } : {}),
        });
        entries.push({
          name: n.agentName,
          tool,
          description: tool.describe(),
          config: {},
          executor: 'mcp',
          validationSchema: safe.schema,
        });
      }
    }
    this.#entries = entries;
  }

  /** A server's tools changed: rebuild (collisions now are logged and left out) and tell the listeners. */
  changed(): void {
    this.rebuild(false);
    for (const listener of this.#listeners) listener(this.#entries);
  }
}

/**
 * Start the eager servers of `specs` in parallel. If one fails (or two tools would share a name), the
 * others are closed and its coded error (naming the server) is thrown. Lazy servers start on startLazy().
 */
export async function createMcpTools(
  specs: readonly McpServerSpec[],
  opts: McpToolsOptions,
): Promise<McpTools> {
  const ctx = {
    env: opts.env,
    log: opts.log,
    signal: opts.signal,
    ...(opts.owner ? { owner: opts.owner } : {}),
  };
  const servers = specs.map(
    (spec) => new McpSupervisor(spec, { ...opts.supervisor, connect: opts.connect, ctx }),
  );
  const set = new McpToolSet(servers, specs, opts);
  const started = await Promise.allSettled(servers.filter((s, i) => !specs[i]!.lazy).map((s) => s.start()));
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    set.rebuild(true);
  } catch (err) {
    await set.close();
    throw err;
  }
  for (const sup of servers) sup.onToolsChanged(() => set.changed());
  return set;
}
