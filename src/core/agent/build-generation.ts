// Build the next generation off to the side: plan and load plugins (or reuse the current set when
// nothing it is built from changed), initialize new tools, create the provider and verify it when its
// settings changed. On any failure everything new is closed again and nothing running is touched.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { resolveDataDir } from '../config/data-dir.js';
import type { AgentConfig } from '../config/schema.js';
import { buildRouter } from '../routing/build-router.js';
import { buildProcessing } from './processing.js';
import {
  createProvider,
  loadPluginSet,
  planPluginSet,
  type Available,
  type PlannedPluginSet,
  type PluginSet,
} from './resolve.js';
import { LiveGeneration, SharedPluginSet } from './live-generation.js';
import type { TaskProcessorDeps } from './task-processor.js';
import { initializeTools, verifyProvider } from './tool-lifecycle.js';

export interface BuildContext {
  readonly available: Available;
  readonly env: NodeJS.ProcessEnv;
  readonly log: LoggerV1;
  readonly publish: TaskProcessorDeps['publish'];
  readonly signal: AbortSignal;
}

export interface BuildOptions {
  readonly id: number;
  /** The generation serving now: its plugin set and provider are reused where nothing changed. */
  readonly previous?: LiveGeneration;
  /** Rebuild the plugin set even if its inputs look the same (SIGHUP). */
  readonly force?: boolean;
  /** The plan, if the caller made it already. */
  readonly planned?: PlannedPluginSet;
  /**
   * Initialize new tools and verify a new provider here. At startup the agent does both itself, after
   * subscribing (docs/protocol.md §5.1 steps 4 and 5).
   */
  readonly lifecycle: boolean;
}

/** The [llm] settings whose change means a different provider to verify (not prompt or sampling). */
function providerIdentity(config: AgentConfig): string {
  const { provider, model, api_key_env, base_url, timeout, max_retries } = config.llm;
  return JSON.stringify({ provider, model, api_key_env, base_url, timeout, max_retries });
}

/** Lazy MCP servers start before the first task's LLM call (their tools are unknown until then). */
function lazyMcpStart(set: PluginSet): (() => Promise<void>) | undefined {
  const mcp = set.mcp;
  if (!mcp?.servers.some((s) => s.state === 'idle')) return undefined;
  return () => mcp.startLazy();
}

export async function buildGeneration(
  config: AgentConfig,
  ctx: BuildContext,
  opts: BuildOptions,
): Promise<LiveGeneration> {
  const { previous } = opts;
  const log = ctx.log;
  const planned = opts.planned ?? (await planPluginSet(config, ctx.available));
  const reuse = previous !== undefined && !opts.force && previous.plugins.set.key === planned.key;
  const plugins = reuse
    ? previous.plugins.share()
    : new SharedPluginSet(await loadPluginSet(config, ctx.available, ctx.env, log, planned, opts.id), log);
  try {
    if (!reuse && opts.lifecycle) {
      await initializeTools(plugins.set, log, ctx.signal, {
        agentId: config.agent.id,
        dataDir: resolveDataDir(config, ctx.env),
      });
    }
    const { provider, secrets } = createProvider(config, plugins.set, ctx.env, log);
    const sameProvider =
      previous !== undefined && providerIdentity(previous.config) === providerIdentity(config);
    if (opts.lifecycle && !sameProvider) await verifyProvider({ provider }, ctx.signal);
    const router = buildRouter(config, {
      provider,
      factoryOf: (id) =>
        ctx.available.providers.find((p) => p.id === id) ?? plugins.set.generation.providers.get(id)?.factory,
      create: (factory, routingConfig) =>
        createProvider(routingConfig, { providerFactory: factory }, ctx.env, log).provider,
      log,
    });
    const { intake, deps } = buildProcessing(
      config,
      { provider, tools: plugins.set.tools, router, prepareTools: lazyMcpStart(plugins.set) },
      ctx.publish,
    );
    return new LiveGeneration({ id: opts.id, config, plugins, provider, secrets, intake, deps }, ctx.signal);
  } catch (err) {
    await plugins.release();
    throw err;
  }
}
