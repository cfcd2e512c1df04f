// Decide, from agent.toml and the discovered manifests alone (no plugin code runs), which plugins to load.
import type { AgentConfig } from '../config/schema.js';
import { invalidKey, sourceOf, type ConfigSource } from '../config/source.js';
import { ERR_PLUGIN_NOT_FOUND, ERR_PROVIDER_UNKNOWN, ERR_TOOL_UNKNOWN } from '../errors.js';
import type { DiscoveredPlugin } from './discover.js';
import type { ProviderManifest, ToolManifest } from './manifest.js';

export type { PlannedTool } from './plan-tools.js';
import { validateToolConfig } from './options.js';
import { planExternal, planInlineScript, planPluginTool, type PlannedTool } from './plan-tools.js';
import { orderByDependencies } from './order.js';
import { mcpPluginServers } from '../mcp/plugin-server.js';

export interface PluginPlan {
  /** Plugins to load, dependencies first. */
  readonly plugins: readonly DiscoveredPlugin[];
  readonly tools: readonly PlannedTool[];
  /** The manifest entry of the configured provider (undefined when it is injected in code). */
  readonly provider: ProviderManifest | undefined;
  /**
   * Plugin options: the `config` of the first `[tools]` entry that uses the plugin and whose tool has
   * no `configSchema` of its own (such config tables are the plugin's options).
   */
  optionsFor(plugin: string): { options: Record<string, unknown>; key: string };
}

export interface PlanInputs {
  /** Providers supplied in code (createAgent options) that need no plugin. */
  readonly injectedProviders: readonly string[];
  /** Tools supplied in code that need no plugin. */
  readonly injectedTools: readonly string[];
}

function findPluginTool(
  name: string,
  impl: string,
  discovered: readonly DiscoveredPlugin[],
  injected: readonly string[],
  source: ConfigSource | undefined,
): { plugin: DiscoveredPlugin; manifest: ToolManifest } {
  const key = `tools.${name}.impl`;
  let candidates: readonly DiscoveredPlugin[];
  if (impl === 'builtin') {
    candidates = discovered.filter((p) => p.source === 'first-party');
  } else if (impl.startsWith('plugin:')) {
    const wanted = impl.slice('plugin:'.length);
    candidates = discovered.filter((p) => p.manifest.name === wanted);
    if (candidates.length === 0) {
      throw new ERR_PLUGIN_NOT_FOUND({
        plugin: wanted,
        key,
        available: discovered.map((p) => p.manifest.name),
      });
    }
  } else {
    throw invalidKey(
      source,
      ['tools', name, 'impl'],
      `"${impl}" must be "builtin", "plugin:<name>", "external" or "script"`,
    );
  }
  for (const plugin of candidates) {
    const manifest = plugin.manifest.tools?.find((t) => t.name === name);
    if (manifest) return { plugin, manifest };
  }
  const fromPlugins = candidates.flatMap((p) => (p.manifest.tools ?? []).map((t) => t.name));
  const available = [...new Set([...(impl === 'builtin' ? injected : []), ...fromPlugins])].sort();
  throw new ERR_TOOL_UNKNOWN({ tool: name, available });
}

/** Resolve `[llm] provider` and every `[tools]` entry to plugins; include their dependsOn closure. */
export function planPlugins(
  config: AgentConfig,
  discovered: readonly DiscoveredPlugin[],
  inputs: PlanInputs,
): PluginPlan {
  const byName = new Map(discovered.map((p) => [p.manifest.name, p]));
  const needed = new Set<string>();
  const options = new Map<string, { options: Record<string, unknown>; key: string }>();
  /** The plugin that provides `id`, or ERR_PROVIDER_UNKNOWN (naming `key` when it is not llm.provider). */
  const ownerOf = (id: string, key?: string): DiscoveredPlugin => {
    const owner = discovered.find((p) => p.manifest.providers?.some((pr) => pr.id === id));
    if (owner) return owner;
    const available = [
      ...inputs.injectedProviders,
      ...discovered.flatMap((p) => (p.manifest.providers ?? []).map((pr) => pr.id)),
    ];
    throw new ERR_PROVIDER_UNKNOWN({
      provider: id,
      available: [...new Set(available)].sort(),
      ...(key !== undefined && { key }),
    });
  };
  let provider: ProviderManifest | undefined;
  if (!inputs.injectedProviders.includes(config.llm.provider)) {
    const owner = ownerOf(config.llm.provider);
    needed.add(owner.manifest.name);
    provider = owner.manifest.providers?.find((pr) => pr.id === config.llm.provider);
  }
  // [routing.llm] provider (strategy llm) is loaded too when it is another plugin's (docs/routing.md).
  const routingProvider = config.routing.strategy === 'llm' ? config.routing.llm?.provider : undefined;
  if (routingProvider !== undefined && !inputs.injectedProviders.includes(routingProvider))
    needed.add(ownerOf(routingProvider, 'routing.llm.provider').manifest.name);
  const tools: PlannedTool[] = [];
  for (const [name, entry] of Object.entries(config.tools)) {
    if (inputs.injectedTools.includes(name) && entry.impl === 'builtin') continue;
    if (entry.impl === 'external') {
      tools.push(planExternal(name, entry));
      continue;
    }
    if (entry.impl === 'script') {
      tools.push(planInlineScript(name, entry));
      continue;
    }
    const { plugin, manifest } = findPluginTool(
      name,
      entry.impl,
      discovered,
      inputs.injectedTools,
      sourceOf(config),
    );
    const pluginName = plugin.manifest.name;
    needed.add(pluginName);
    const schema = manifest.configSchema ?? plugin.manifest.optionsSchema;
    const toolConfig = validateToolConfig({ tool: name, plugin: pluginName }, schema, entry.config);
    if (!options.has(pluginName) && manifest.configSchema === undefined)
      options.set(pluginName, { options: toolConfig, key: `tools.${name}.config` });
    tools.push(planPluginTool(plugin, manifest, entry, toolConfig));
  }
  // A plugin whose MCP server an [mcp] table names is used too (unknown plugin or server: an error here).
  for (const { plugin } of mcpPluginServers(config, discovered)) needed.add(plugin.manifest.name);
  const queue = [...needed];
  while (queue.length > 0) {
    for (const dep of byName.get(queue.pop()!)?.manifest.dependsOn ?? []) {
      if (!needed.has(dep)) {
        needed.add(dep);
        queue.push(dep);
      }
    }
  }
  const plugins = orderByDependencies(discovered.filter((p) => needed.has(p.manifest.name)));
  return {
    plugins,
    tools,
    provider,
    optionsFor: (plugin) => options.get(plugin) ?? { options: {}, key: `plugins.${plugin}` },
  };
}
