// Startup step 1 beyond parsing: discover and load the plugins the config uses, then build the
// provider and the tool registry from them (plus any providers/tools injected in code).
import type { LoggerV1, ProviderFactoryV1, ProviderV1, ToolFactoryV1 } from '../../../tool-sdk/src/index.js';
import type { AgentConfig } from '../config/schema.js';
import { resolveSecrets, type ResolvedSecrets } from '../config/secrets.js';
import { discoverPlugins } from '../host/discover.js';
import { loadGeneration, moduleToolKey, type Generation } from '../host/generation.js';
import { checkRuntimeRanges } from '../host/order.js';
import { planPlugins, type PlannedTool, type PluginPlan } from '../host/plan.js';
import {
  createScriptTool,
  createSubprocessTool,
  SandboxRuntime,
  type SandboxContext,
} from '../sandbox/sandboxed-tools.js';
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

/** A planned tool as a registry entry: a loaded module tool, or one backed by a sandboxed executor. */
export async function buildPlannedTool(
  planned: PlannedTool,
  ctx: PlannedToolContext,
): Promise<ToolEntryForRegistry> {
  const { name, config } = planned;
  if (planned.kind === 'module') {
    const tool = ctx.generation.tools.get(moduleToolKey(planned.plugin, name))!.tool;
    const { description, parameters } = planned.manifest;
    return { name, tool, description: { name, description, parameters }, config };
  }
  const built =
    planned.kind === 'subprocess'
      ? await createSubprocessTool(planned, ctx.sandbox)
      : await createScriptTool(planned, ctx.sandbox, ctx.runtime.scripts());
  return { name, ...built, config };
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
      entries.push({ name, tool, description: tool.describe(), config: entry.config });
    }
  }
  return ToolRegistry.fromEntries(entries);
}

export async function resolveParts(
  config: AgentConfig,
  available: Available,
  env: NodeJS.ProcessEnv,
  log: LoggerV1,
): Promise<ResolvedParts> {
  const plan = await planParts(config, available);
  const generation = await loadGeneration(plan.plugins, {
    id: 1,
    log,
    optionsFor: (name) => plan.optionsFor(name),
    setupTimeoutMs: config.plugins.setup_timeout_ms,
  });
  const runtime = new SandboxRuntime(log);
  const close = async (): Promise<void> => {
    await runtime.close();
    await generation.close();
  };
  try {
    const factory =
      available.providers.find((p) => p.id === config.llm.provider) ??
      generation.providers.get(config.llm.provider)!.factory;
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
    const tools = await buildTools(config, plan, {
      generation,
      injected: available.tools,
      sandbox: { ceilings: config.sandbox, env, log },
      runtime,
    });
    return { secrets, provider, tools, generation, close };
  } catch (err) {
    await close();
    throw err;
  }
}
