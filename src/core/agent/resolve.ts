// Startup step 1 beyond parsing: discover and load the plugins the config uses, then build the
// provider and the tool registry from them (plus any providers/tools injected in code).
import { isAbsolute, resolve, sep } from 'node:path';

import type { LoggerV1, ProviderFactoryV1, ProviderV1, ToolFactoryV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { resolveSecrets, type ResolvedSecrets } from '../config/secrets.js';
import { discoverPlugins } from '../host/discover.js';
import { fingerprintPath, fingerprintPaths } from '../host/fingerprint.js';
import { importVersion } from '../host/fresh-import.js';
import { loadGeneration, moduleToolKey, type Generation } from '../host/generation.js';
import { checkRuntimeRanges } from '../host/order.js';
import { planPlugins, type PlannedTool, type PluginPlan } from '../host/plan.js';
import {
  createScriptTool,
  createSubprocessTool,
  SandboxRuntime,
  type SandboxContext,
} from '../sandbox/sandboxed-tools.js';
import { moduleLimits } from '../sandbox/limits.js';
import type { McpTools } from '../mcp/mcp-tools.js';
import { mcpServerSpecs } from '../mcp/server-spec.js';
import { VERSION } from '../version.js';
import { ToolRegistry } from './tool-registry.js';

/** Where plugins are discovered. Without `firstPartyDir` only injected providers/tools exist. */
export interface PluginSources {
  readonly firstPartyDir?: string;
  readonly nodeModulesDirs?: readonly string[];
}

export interface Available {
  readonly providers: readonly ProviderFactoryV1[];
  readonly tools: readonly ToolFactoryV1[];
  readonly plugins?: PluginSources;
}

export interface ResolvedParts {
  secrets: ResolvedSecrets;
  provider: ProviderV1;
  tools: ToolRegistry;
  /** The loaded plugins; closed on shutdown. */
  generation?: Generation;
  /** Stop sandboxed executors (tool processes, script host) and close the plugins. */
  close?(): Promise<void>;
}

type ToolEntryForRegistry = Parameters<typeof ToolRegistry.fromEntries>[0][number];

/** Discover plugins and plan what to load; no plugin code runs (used by `validate` too). */
export async function planParts(config: AgentConfig, available: Available): Promise<PluginPlan> {
  const discovered = available.plugins?.firstPartyDir
    ? await discoverPlugins({
        firstPartyDir: available.plugins.firstPartyDir,
        dirs: config.plugins.dirs,
        nodeModulesDirs: config.plugins.npm ? (available.plugins.nodeModulesDirs ?? []) : [],
      })
    : [];
  const plan = planPlugins(config, discovered, {
    injectedProviders: available.providers.map((p) => p.id),
    injectedTools: available.tools.map((t) => t.name),
  });
  checkRuntimeRanges(plan.plugins, VERSION);
  return plan;
}

export interface PlannedToolContext {
  readonly generation: Generation;
  readonly sandbox: SandboxContext;
  readonly runtime: SandboxRuntime;
}

/** A module tool's deadline under the [sandbox] ceiling; a request above it is lowered, with a warning. */
function moduleTimeoutMs(tool: string, asked: number | undefined, sandbox: SandboxContext): number {
  const { limits, capped } = moduleLimits(sandbox.ceilings, { timeoutMs: asked });
  if (capped.length > 0)
    sandbox.log.warn({ tool, capped }, 'requested limits above the [sandbox] ceilings were lowered to them');
  return limits.timeoutMs;
}

/** A planned tool as a registry entry: a loaded module tool, or one backed by a sandboxed executor. */
export async function buildPlannedTool(
  planned: PlannedTool,
  ctx: PlannedToolContext,
): Promise<ToolEntryForRegistry> {
  const { name, config } = planned;
  if (planned.kind === 'module') {
    const tool = ctx.generation.tools.get(moduleToolKey(planned.plugin, name))!.tool;
    const { description, parameters } = planned.manifest;
    const timeoutMs = moduleTimeoutMs(name, planned.requested.timeoutMs, ctx.sandbox);
    return { name, tool, description: { name, description, parameters }, config, timeoutMs };
  }
  const built =
    planned.kind === 'subprocess'
      ? await createSubprocessTool(planned, ctx.sandbox)
      : await createScriptTool(planned, ctx.sandbox, ctx.runtime.scripts());
  return { name, ...built, config, executor: planned.kind };
}

async function buildTools(
  config: AgentConfig,
  plan: PluginPlan,
  ctx: PlannedToolContext & { injected: readonly ToolFactoryV1[] },
): Promise<ToolRegistry> {
  const planned = new Map(plan.tools.map((t) => [t.name, t]));
  const entries: ToolEntryForRegistry[] = [];
  for (const [name, entry] of Object.entries(config.tools)) {
    const p = planned.get(name);
    if (p) {
      entries.push(await buildPlannedTool(p, ctx));
    } else {
      const tool = ctx.injected.find((f) => f.name === name)!.create();
      const asked = entry.timeout_seconds === undefined ? undefined : entry.timeout_seconds * 1000;
      const timeoutMs = moduleTimeoutMs(name, asked, ctx.sandbox);
      entries.push({ name, tool, description: tool.describe(), config: entry.config, timeoutMs });
    }
  }
  return ToolRegistry.fromEntries(entries);
}

/** The part of the config a plugin set is built from: a next config with the same key can reuse it. */
function pluginSetInputs(config: AgentConfig): unknown {
  const { agent, llm, tools, plugins, sandbox, data_dir, routing, mcp } = config;
  const routingProvider = routing.strategy === 'llm' ? routing.llm?.provider : undefined;
  return { id: agent.id, provider: llm.provider, routingProvider, tools, plugins, sandbox, data_dir, mcp };
}

/** Inline tools' own files: a script's source, a command given by path. */
function inlineToolFiles(plan: PluginPlan): string[] {
  const files: string[] = [];
  for (const t of plan.tools) {
    if (t.kind === 'script' && t.plugin === undefined) files.push(t.source);
    if (t.kind === 'subprocess' && t.plugin === undefined && isAbsolute(t.command)) files.push(t.command);
  }
  return files;
}

/** Files a plugin set reads when it loads: the used plugins' folders and inline tools' files. */
function filesOf(plan: PluginPlan): string[] {
  return [...plan.plugins.map((p) => p.dir), ...inlineToolFiles(plan)];
}

/** What a reload watcher should watch for this set: folders (deep) and single files. */
export interface WatchPaths {
  readonly dirs: readonly string[];
  readonly files: readonly string[];
}

/** The plugin folders in use and the `[plugins] dirs` roots (not the package's own plugins), and inline files. */
function watchPathsOf(config: AgentConfig, plan: PluginPlan, available: Available): WatchPaths {
  const firstPartyDir = available.plugins?.firstPartyDir;
  const firstParty = firstPartyDir === undefined ? undefined : resolve(firstPartyDir);
  const own = (dir: string): boolean =>
    firstParty !== undefined && (dir === firstParty || dir.startsWith(firstParty + sep));
  const dirs = new Set([...config.plugins.dirs, ...plan.plugins.map((p) => p.dir).filter((d) => !own(d))]);
  return { dirs: [...dirs], files: inlineToolFiles(plan) };
}

export interface PlannedPluginSet {
  readonly plan: PluginPlan;
  /** The config inputs and the fingerprint of every file the set would read. */
  readonly key: string;
}

/** Discover and plan (no plugin code runs) and fingerprint what the set would be built from. */
export async function planPluginSet(config: AgentConfig, available: Available): Promise<PlannedPluginSet> {
  const plan = await planParts(config, available);
  const files = await fingerprintPaths(filesOf(plan));
  return { plan, key: JSON.stringify({ inputs: pluginSetInputs(config), files }) };
}

/** The loaded plugins, the tool registry on them and the sandbox executors they use. */
export interface PluginSet {
  readonly key: string;
  readonly generation: Generation;
  readonly tools: ToolRegistry;
  /** The factory of the configured provider (injected in code, or from a plugin). */
  readonly providerFactory: ProviderFactoryV1;
  readonly watch: WatchPaths;
  /** The MCP servers whose tools are the registry's `mcp` group (undefined: no [mcp] servers). */
  readonly mcp?: McpTools;
  /** Close the MCP servers, stop the sandboxed executors (tool processes, script host), close the plugins. */
  close(): Promise<void>;
}

/** The registry group holding the MCP servers' tools. */
export const MCP_TOOL_GROUP = 'mcp';

/**
 * Start the [mcp] servers (eager ones now; a failure is AGENT_ERR_MCP_START_FAILED) and keep the
 * registry's `mcp` group in step with their tools.
 */
async function startMcpTools(
  config: AgentConfig,
  plan: PluginPlan,
  tools: ToolRegistry,
  ctx: { env: NodeJS.ProcessEnv; log: LoggerV1; signal: AbortSignal; owner: object },
): Promise<McpTools | undefined> {
  const specs = mcpServerSpecs(config, { plugins: plan.plugins, log: ctx.log });
  if (specs.length === 0) return undefined;
  const log = ctx.log.child({ component: 'mcp' });
  // The MCP client (the SDK, ~10 MB resident) is loaded only by agents that have [mcp] servers.
  const [{ createMcpTools }, { connectMcp }] = await Promise.all([
    import('../mcp/mcp-tools.js'),
    import('../mcp/connection.js'),
  ]);
  const mcp = await createMcpTools(specs, {
    connect: connectMcp,
    env: ctx.env,
    log,
    signal: ctx.signal,
    owner: ctx.owner,
    takenNames: tools.names,
  });
  const update = (entries: ReturnType<McpTools['entries']>): void => {
    try {
      tools.setGroup(MCP_TOOL_GROUP, entries, log);
    } catch (err) {
      log.error({ err }, 'MCP tools changed but cannot be registered; the previous set stays');
    }
  };
  tools.setGroup(MCP_TOOL_GROUP, mcp.entries(), log);
  mcp.onChange(update);
  return mcp;
}

/**
 * Load what `planned` says: plugins (a plugin whose files changed since its first import is imported
 * afresh), then the tools. Tools are not initialized here (tool-lifecycle.ts).
 */
export async function loadPluginSet(
  config: AgentConfig,
  available: Available,
  env: NodeJS.ProcessEnv,
  log: LoggerV1,
  planned: PlannedPluginSet,
  id = 1,
): Promise<PluginSet> {
  const { plan } = planned;
  const plugins = await Promise.all(
    plan.plugins.map(async (p) => {
      const version = importVersion(p.dir, await fingerprintPath(p.dir));
      return version === undefined ? p : { ...p, version };
    }),
  );
  const generation = await loadGeneration(plugins, {
    id,
    log,
    optionsFor: (name) => plan.optionsFor(name),
    setupTimeoutMs: config.plugins.setup_timeout_ms,
  });
  const runtime = new SandboxRuntime(log, { scriptHostMemoryMb: config.sandbox.script_host_memory_mb });
  let mcp: McpTools | undefined;
  const close = async (): Promise<void> => {
    await mcp?.close();
    await runtime.close();
    await generation.close();
  };
  try {
    const providerFactory =
      available.providers.find((p) => p.id === config.llm.provider) ??
      generation.providers.get(config.llm.provider)!.factory;
    const tools = await buildTools(config, plan, {
      generation,
      injected: available.tools,
      sandbox: { ceilings: config.sandbox, env, log, owner: runtime },
      runtime,
    });
    mcp = await startMcpTools(config, plan, tools, { env, log, signal: generation.signal, owner: runtime });
    const watch = watchPathsOf(config, plan, available);
    return { key: planned.key, generation, tools, providerFactory, watch, ...(mcp ? { mcp } : {}), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The provider `config` asks for, from the set's factory, with its secrets resolved from `env`. */
export function createProvider(
  config: AgentConfig,
  set: Pick<PluginSet, 'providerFactory'>,
  env: NodeJS.ProcessEnv,
  log: LoggerV1,
): { provider: ProviderV1; secrets: ResolvedSecrets } {
  const factory = set.providerFactory;
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
  return { provider, secrets };
}

/** Plugin set and provider in one step (the agent's first generation, and tests). */
export async function resolveParts(
  config: AgentConfig,
  available: Available,
  env: NodeJS.ProcessEnv,
  log: LoggerV1,
): Promise<ResolvedParts> {
  const set = await loadPluginSet(config, available, env, log, await planPluginSet(config, available));
  try {
    const { provider, secrets } = createProvider(config, set, env, log);
    return { secrets, provider, tools: set.tools, generation: set.generation, close: () => set.close() };
  } catch (err) {
    await set.close();
    throw err;
  }
}
