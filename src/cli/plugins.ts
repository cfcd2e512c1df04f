// `agent2389 plugins [config]`: list the discovered plugins, their tools, providers and state (no plugin code runs).
import { Command } from 'commander';

import { loadConfigFile } from '../core/config/load.js';
import { AgentError, ERR_PLUGIN_DEPENDENCY_CYCLE, ERR_PLUGIN_RUNTIME_MISMATCH } from '../core/errors.js';
import { discoverPlugins, type DiscoveredPlugin, type PluginSource } from '../core/host/discover.js';
import { checkRuntimeRanges, orderByDependencies } from '../core/host/order.js';
import { VERSION } from '../core/version.js';
import { FIRST_PARTY_PLUGINS_DIR, defaultPluginSources } from '../plugin-sources.js';

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
}

/** Where to look: first-party always; `[plugins] dirs` and the npm switch from the config, if any. */
async function discover(pathArg: string | undefined): Promise<DiscoveredPlugin[]> {
  const sources = defaultPluginSources();
  const path = pathArg ?? process.env.AGENT_CONFIG;
  let dirs: readonly string[] = [];
  let npm = true;
  if (path) {
    const { config, file, warnings } = await loadConfigFile(path);
    for (const w of warnings) process.stderr.write(`warning: ${file}: ${w.path} ${w.message}\n`);
    dirs = config.plugins.dirs;
    npm = config.plugins.npm;
  }
  return discoverPlugins({
    firstPartyDir: sources.firstPartyDir ?? FIRST_PARTY_PLUGINS_DIR,
    dirs,
    nodeModulesDirs: npm ? (sources.nodeModulesDirs ?? []) : [],
  });
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
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function plugins(pathArg: string | undefined, flags: Flags): Promise<void> {
  const listing = listPlugins(await discover(pathArg));
  process.stdout.write(flags.json ? `${JSON.stringify(listing, null, 2)}\n` : `${formatTable(listing)}\n`);
}

export function pluginsCommand(): Command {
  return new Command('plugins')
    .description(
      'List the plugins an agent would discover (first-party, [plugins] dirs, npm) with their tools, providers and state',
    )
    .argument(
      '[config]',
      'path to agent.toml (default: AGENT_CONFIG; without either, first-party and ./node_modules only)',
    )
    .option('--json', 'print an array of objects instead of a table')
    .exitOverride()
    .addHelpText(
      'after',
      '\nNo plugin code runs. State is "ok" or why the plugin cannot load (runtime mismatch, missing\n' +
        'dependency or one that cannot load, dependency cycle). Exit status: 0 listed; 1 discovery failed (invalid manifest,\n' +
        'duplicate name, missing [plugins] dir), printed as "agent2389: [CODE] message".\n' +
        '\nExamples:\n  agent2389 plugins agent.toml\n  agent2389 plugins --json',
    )
    .action(plugins);
}
