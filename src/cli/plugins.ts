// `agent2389 plugins [config]`: list the discovered plugins, their tools, providers and state, and the config's
// MCP servers (no plugin code runs; with --mcp each server is started, its tools listed, and closed).
import { Command } from 'commander';

import { loadConfigFile } from '../core/config/load.js';
import type { AgentConfig } from '../core/config/schema.js';
import { AgentError, ERR_PLUGIN_DEPENDENCY_CYCLE, ERR_PLUGIN_RUNTIME_MISMATCH } from '../core/errors.js';
import { discoverPlugins, type DiscoveredPlugin, type PluginSource } from '../core/host/discover.js';
import { checkRuntimeRanges, orderByDependencies } from '../core/host/order.js';
import { mcpServerSpecs } from '../core/mcp/server-spec.js';
import type { McpServerSpec } from '../core/mcp/types.js';
import { VERSION } from '../core/version.js';
import { FIRST_PARTY_PLUGINS_DIR, defaultPluginSources } from '../plugin-sources.js';
import { terminalText } from './display-text.js';
import { formatMcpTable, listMcpServers, probeMcpServers, type McpServerListing } from './plugins-mcp.js';
import { textTable } from './text-table.js';
import { stderrWarnings } from './warning-log.js';

export interface PluginListing {
  readonly name: string;
  readonly version: string;
  readonly source: PluginSource;
  readonly dir: string;
  readonly runtime: string;
  readonly tools: readonly { readonly name: string; readonly executor: string }[];
  readonly providers: readonly string[];
  /** `ok`, or the reasons the plugin cannot be loaded, joined by `; `. */
  readonly state: string;
}

interface Flags {
  readonly json?: boolean;
  readonly mcp?: boolean;
}

interface Discovered {
  readonly plugins: DiscoveredPlugin[];
  /** The config, when one was given (its [mcp] servers are listed). */
  readonly loaded?: { readonly config: AgentConfig; readonly file: string };
}

/** Where to look: first-party always; `[plugins] dirs` and the npm switch from the config, if any. */
async function discover(pathArg: string | undefined): Promise<Discovered> {
  const sources = defaultPluginSources();
  const path = pathArg ?? process.env.AGENT_CONFIG;
  let dirs: readonly string[] = [];
  let npm = true;
  let loaded: Discovered['loaded'];
  if (path) {
    const { config, file, warnings } = await loadConfigFile(path);
    for (const w of warnings) process.stderr.write(`warning: ${file}: ${w.path} ${w.message}\n`);
    dirs = config.plugins.dirs;
    npm = config.plugins.npm;
    loaded = { config, file };
  }
  const plugins = await discoverPlugins({
    firstPartyDir: sources.firstPartyDir ?? FIRST_PARTY_PLUGINS_DIR,
    dirs,
    nodeModulesDirs: npm ? (sources.nodeModulesDirs ?? []) : [],
  });
  return { plugins, ...(loaded ? { loaded } : {}) };
}

/** Why each plugin could not be loaded: host range, missing dependencies, dependency cycles. */
function problemsByPlugin(plugins: readonly DiscoveredPlugin[]): Map<string, string[]> {
  const problems = new Map<string, string[]>(plugins.map((p) => [p.manifest.name, []]));
  const add = (name: string, problem: string): void => {
    problems.get(name)?.push(problem);
  };
  const names = new Set(plugins.map((p) => p.manifest.name));
  for (const plugin of plugins) {
    try {
      checkRuntimeRanges([plugin], VERSION);
    } catch (err) {
      if (!AgentError.is(err, ERR_PLUGIN_RUNTIME_MISMATCH.code)) throw err;
      add(plugin.manifest.name, `runtime mismatch (needs ${plugin.manifest.runtime})`);
    }
    const missing = (plugin.manifest.dependsOn ?? []).filter((d) => !names.has(d));
    if (missing.length > 0) add(plugin.manifest.name, `dependency missing: ${missing.join(', ')}`);
  }
  // Drop plugins whose dependencies are (transitively) missing; what remains can only fail by a cycle.
  let loadable = plugins.filter((p) => (p.manifest.dependsOn ?? []).every((d) => names.has(d)));
  for (let size = -1; size !== loadable.length;) {
    size = loadable.length;
    const kept = new Set(loadable.map((p) => p.manifest.name));
    loadable = loadable.filter((p) => (p.manifest.dependsOn ?? []).every((d) => kept.has(d)));
  }
  const kept = new Set(loadable.map((p) => p.manifest.name));
  for (const plugin of plugins) {
    const deps = plugin.manifest.dependsOn ?? [];
    const blocked = deps.filter((d) => names.has(d) && !kept.has(d));
    if (!kept.has(plugin.manifest.name) && deps.every((d) => names.has(d)))
      add(plugin.manifest.name, `dependency cannot load: ${blocked.join(', ')}`);
  }
  try {
    orderByDependencies(loadable);
  } catch (err) {
    if (!AgentError.is(err, ERR_PLUGIN_DEPENDENCY_CYCLE.code)) throw err;
    const { cycle } = (err as InstanceType<typeof ERR_PLUGIN_DEPENDENCY_CYCLE>).data;
    for (const name of new Set(cycle)) add(name, `dependency cycle: ${cycle.join(' -> ')}`);
  }
  return problems;
}

export function listPlugins(plugins: readonly DiscoveredPlugin[]): PluginListing[] {
  const problems = problemsByPlugin(plugins);
  return plugins.map(({ manifest, dir, source }) => ({
    name: manifest.name,
    version: manifest.version,
    source,
    dir,
    runtime: manifest.runtime,
    tools: (manifest.tools ?? []).map((t) => ({ name: t.name, executor: t.executor.type })),
    providers: (manifest.providers ?? []).map((p) => p.id),
    state: problems.get(manifest.name)?.join('; ') || 'ok',
  }));
}

/** A plain-text table, columns padded to their widest cell; `-` for an empty cell. */
export function formatTable(rows: readonly PluginListing[]): string {
  const header = ['NAME', 'VERSION', 'SOURCE', 'TOOLS', 'PROVIDERS', 'STATE'];
  const cells = rows.map((r) => [
    r.name,
    r.version,
    r.source,
    r.tools.map((t) => `${t.name}:${t.executor}`).join(', ') || '-',
    r.providers.join(', ') || '-',
    r.state,
  ]);
  return textTable(header, cells);
}

/** Start each server as the agent would and list its tools; Ctrl-C aborts the starts (all are still closed). */
async function startServers(
  specs: readonly McpServerSpec[],
  config: AgentConfig,
): Promise<McpServerListing[]> {
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort(new Error('interrupted'));
    process.exitCode = 130;
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await probeMcpServers(specs, {
      env: process.env,
      takenNames: Object.keys(config.tools),
      signal: stop.signal,
      warn: (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

async function plugins(pathArg: string | undefined, flags: Flags): Promise<void> {
  const { plugins: discovered, loaded } = await discover(pathArg);
  const listing = listPlugins(discovered);
  const specs = loaded
    ? mcpServerSpecs(loaded.config, { plugins: discovered, log: stderrWarnings(loaded.file) })
    : [];
  const servers = flags.mcp && loaded ? await startServers(specs, loaded.config) : listMcpServers(specs);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ plugins: listing, mcp_servers: servers }, null, 2)}\n`);
  } else {
    const mcp = servers.length > 0 ? `\n\n${formatMcpTable(servers)}` : '';
    process.stdout.write(`${formatTable(listing)}${mcp}\n`);
  }
  for (const s of servers)
    if (s.error)
      process.stderr.write(
        `agent2389: mcp.${s.name}: [${s.error.code}] ${terminalText(s.error.message, 4000)}\n`,
      );
  if (servers.some((s) => s.error)) process.exitCode ??= 1;
}

export function pluginsCommand(): Command {
  return new Command('plugins')
    .description(
      "List the plugins an agent would discover (first-party, [plugins] dirs, npm) with their tools, providers and state, and the config's MCP servers",
    )
    .argument(
      '[config]',
      'path to agent.toml (default: AGENT_CONFIG; without either, first-party and ./node_modules only)',
    )
    .option('--json', 'print {"plugins": [...], "mcp_servers": [...]} instead of tables')
    .option(
      '--mcp',
      'start each [mcp] server as the agent would (its sandbox, startup timeout), list its tools, close it',
    )
    .exitOverride()
    .addHelpText(
      'after',
      '\nNo plugin code runs, and without --mcp no MCP server either. State is "ok" or why the plugin cannot load\n' +
        "(runtime mismatch, missing dependency or one that cannot load, dependency cycle). The config's [mcp] servers\n" +
        '(its own and plugin-shipped ones) are listed with their transport, origin and sandbox. --mcp starts each one\n' +
        '(lazy ones too) under the sandbox the agent would give it, lists its tools by the names the agent gives them\n' +
        '(<server>__<tool>, after tools / exclude_tools), and closes it. Exit status: 0 listed; 1 discovery or the\n' +
        'config failed (invalid manifest, duplicate name, missing [plugins] dir, bad [mcp] table), or with --mcp a\n' +
        'server did not start, printed as "agent2389: [CODE] message"; 130 interrupted.\n' +
        '\nExamples:\n  agent2389 plugins agent.toml\n  agent2389 plugins agent.toml --mcp\n  agent2389 plugins --json',
    )
    .action(plugins);
}
