// Which plugin server an `[mcp.<name>] plugin = "…"` table names (the plan loads that plugin; server-spec.ts builds its spec).
import type { McpServerTable } from '../config/mcp-section.js';
import type { AgentConfig } from '../config/schema.js';
import { problemAt, sourceOf, type ConfigSource } from '../config/source.js';
import { ERR_CONFIG_INVALID, ERR_PLUGIN_NOT_FOUND } from '../errors.js';
import type { DiscoveredPlugin } from '../host/discover.js';
import type { McpServerManifest } from '../host/manifest.js';

/** The manifest entry a `plugin = "…"` table names. */
export interface McpPluginServer {
  readonly plugin: DiscoveredPlugin;
  /** Its key in the manifest's `mcpServers`. */
  readonly server: string;
  readonly manifest: McpServerManifest;
}

/** The plugin server `[mcp.<name>]` names: ERR_PLUGIN_NOT_FOUND, or AGENT_ERR_CONFIG_INVALID naming `server`. */
export function findMcpPluginServer(
  name: string,
  table: McpServerTable,
  plugins: readonly DiscoveredPlugin[],
  source: ConfigSource | undefined,
): McpPluginServer {
  const wanted = table.plugin!;
  const plugin = plugins.find((p) => p.manifest.name === wanted);
  if (!plugin)
    throw new ERR_PLUGIN_NOT_FOUND({
      plugin: wanted,
      key: `mcp.${name}.plugin`,
      available: plugins.map((p) => p.manifest.name),
    });
  const server = table.server ?? name;
  const servers = plugin.manifest.mcpServers ?? {};
  const manifest = Object.hasOwn(servers, server) ? servers[server] : undefined;
  if (manifest) return { plugin, server, manifest };
  const shipped = Object.keys(servers).join(', ') || '(none)';
  const key = table.server === undefined ? 'plugin' : 'server';
  const message = `plugin "${wanted}" ships no MCP server "${server}"${key === 'plugin' ? ' (the table name; set server = "…")' : ''}; it ships: ${shipped}`;
  throw new ERR_CONFIG_INVALID({
    file: source?.file ?? '(config given in code)',
    problems: [problemAt(['mcp', name, key], message, source?.lineOf)],
  });
}

/** The plugin servers of every `[mcp]` table that names a plugin (the plan loads those plugins). */
export function mcpPluginServers(
  config: AgentConfig,
  plugins: readonly DiscoveredPlugin[],
): McpPluginServer[] {
  // `?? {}`: a config built in code (createAgent) may predate [mcp].
  return Object.entries(config.mcp ?? {})
    .filter(([, t]) => t.plugin !== undefined)
    .map(([name, t]) => findMcpPluginServer(name, t, plugins, sourceOf(config)));
}
