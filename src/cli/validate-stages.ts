// The startup plan of `agent2389 run`, without connecting or running plugin code, as stages that each
// collect their problems instead of stopping at the first: config, plugins, plan, files, secrets, [mcp].
import { stat } from 'node:fs/promises';

import type { PluginSources } from '../core/agent/resolve.js';
import { checkConfigFile } from '../core/config/load.js';
import type { AgentConfig } from '../core/config/schema.js';
import { secretProblems } from '../core/config/secrets.js';
import { sourceOf, type ConfigSource } from '../core/config/source.js';
import type { ConfigWarning } from '../core/config/unknown-keys.js';
import { ERR_CONFIG_INVALID, ERR_MANIFEST_INVALID, type ConfigProblem } from '../core/errors.js';
import { discoverPlugins, type DiscoveredPlugin } from '../core/host/discover.js';
import { manifestFileProblems } from '../core/host/manifest-files.js';
import type { ProviderManifest } from '../core/host/manifest.js';
import { checkRuntimeRanges } from '../core/host/order.js';
import { planPlugins, type PlannedTool } from '../core/host/plan.js';
import { mcpServerSpecs } from '../core/mcp/server-spec.js';
import { resolveCommand } from '../core/sandbox/find-executable.js';
import { effectiveToolUser } from '../core/sandbox/sandbox-user.js';
import { notExecutable } from '../core/sandbox/tool-access.js';
import { toolEnv } from '../core/sandbox/tool-env.js';
import { VERSION } from '../core/version.js';
import { problemsOf, uniqueProblems, type ValidationProblem } from './validate-report.js';
import { warningLine } from './warning-log.js';

export interface ValidateOptions {
  /** Unknown keys are errors, not warnings. */
  readonly strict?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly plugins: PluginSources;
}

export interface ValidateOutcome {
  /** Errors and warnings, in stage order. */
  readonly problems: ValidationProblem[];
  /** The config, when it parsed and validated (later stages ran). */
  readonly config?: AgentConfig;
  readonly mcpServers: readonly string[];
}

/** Collects the problems of one run; `attempt` runs a stage step, turning a coded error into problems. */
class Collector {
  readonly problems: ValidationProblem[] = [];
  constructor(
    readonly file: string,
    readonly lineOf?: ConfigSource['lineOf'],
  ) {}
  add(err: unknown, at: { file?: string; key?: string; pointer?: string } = {}): void {
    this.problems.push(...problemsOf(err, { file: this.file, lineOf: this.lineOf, ...at }));
  }
  attempt<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (err) {
      this.add(err);
      return undefined;
    }
  }
}

function warningProblem(file: string, w: ConfigWarning, strict: boolean): ValidationProblem {
  const asError = strict && w.unknownKey !== undefined;
  return {
    severity: asError ? 'error' : 'warning',
    ...(asError ? { code: ERR_CONFIG_INVALID.code } : {}),
    file,
    key: w.path,
    ...(w.line !== undefined ? { line: w.line } : {}),
    message: `${w.path} ${w.message}`,
  };
}

/** Provider, each tool, and the [mcp] plugin servers planned on their own, so one failure hides no other. */
function planEach(
  config: AgentConfig,
  discovered: readonly DiscoveredPlugin[],
  c: Collector,
): { provider: ProviderManifest | undefined; plugins: DiscoveredPlugin[]; tools: PlannedTool[] } {
  const none = { injectedProviders: [], injectedTools: [] };
  // Planned separately below: the provider is "injected" (taken as given) there.
  const routing = config.routing.llm?.provider;
  const given = {
    injectedProviders: [config.llm.provider, ...(routing ? [routing] : [])],
    injectedTools: [],
  };
  const plans = [
    c.attempt(() => planPlugins({ ...config, tools: {}, mcp: {} }, discovered, none)),
    c.attempt(() => planPlugins({ ...config, tools: {} }, discovered, given)),
    ...Object.entries(config.tools).map(([name, entry]) =>
      c.attempt(() => planPlugins({ ...config, tools: { [name]: entry }, mcp: {} }, discovered, given)),
    ),
  ];
  const plugins = new Map<string, DiscoveredPlugin>();
  const tools: PlannedTool[] = [];
  for (const plan of plans) {
    for (const p of plan?.plugins ?? []) plugins.set(p.manifest.name, p);
    tools.push(...(plan?.tools ?? []));
  }
  return { provider: plans[0]?.provider, plugins: [...plugins.values()], tools };
}

/** A planned tool's files: a subprocess command its user can execute, a script source that exists. */
async function toolFileProblems(
  tool: PlannedTool,
  config: AgentConfig,
  plugins: readonly DiscoveredPlugin[],
  opts: ValidateOptions,
  c: Collector,
): Promise<void> {
  const plugin = plugins.find((p) => p.manifest.name === tool.plugin);
  const index = plugin?.manifest.tools?.findIndex((t) => t.name === tool.name) ?? -1;
  const missing = (key: 'command' | 'source', message: string): void => {
    if (plugin === undefined)
      c.add(
        new ERR_CONFIG_INVALID({
          file: c.file,
          problems: [problemAtKey(c, ['tools', tool.name, key], message)],
        }),
      );
    else
      c.add(
        new ERR_MANIFEST_INVALID({
          file: plugin.file,
          plugin: plugin.manifest.name,
          problems: [{ pointer: `/tools/${index}/executor/${key}`, message }],
        }),
      );
  };
  // A plugin's script sources are checked with its other files (manifestFileProblems).
  if (tool.kind === 'script' && plugin === undefined) {
    const st = await stat(tool.source).catch(() => undefined);
    if (!st?.isFile()) missing('source', `${tool.source} ${st ? 'is not a file' : 'does not exist'}`);
  }
  if (tool.kind !== 'subprocess') return;
  const runAs = config.sandbox.user;
  const pathEnv = toolEnv(tool.envAllow, opts.env, '/').PATH!;
  const found = await resolveCommand(tool.command, pathEnv, effectiveToolUser(runAs));
  if ('path' in found) return;
  if (found.code === 'EACCES') {
    const err = notExecutable(tool.name, found.file ?? tool.command, found.reason, runAs);
    c.add(err, { key: `tools.${tool.name}` });
    return;
  }
  missing(
    'command',
    tool.command.includes('/')
      ? `${tool.command} does not exist`
      : `${tool.command} is not found on PATH ${pathEnv}`,
  );
}

function problemAtKey(c: Collector, path: string[], message: string): ConfigProblem {
  const line = c.lineOf?.(path);
  return { path: path.join('.'), message, ...(line !== undefined ? { line } : {}) };
}

/** Run every stage; problems of one stage do not stop the next, except a config that cannot be read. */
export async function validateStages(path: string, opts: ValidateOptions): Promise<ValidateOutcome> {
  const checked = await checkConfigFile(path, { env: opts.env });
  const configProblems = checked.warnings.map((w) => warningProblem(path, w, opts.strict === true));
  if (checked.error || !checked.loaded) {
    const c = new Collector(path);
    c.add(checked.error);
    return { problems: uniqueProblems([...configProblems, ...c.problems]), mcpServers: [] };
  }
  const { config, file } = checked.loaded;
  const c = new Collector(file, sourceOf(config)?.lineOf);
  c.problems.push(...configProblems);
  // Plugins: every folder and manifest (a broken one is reported and skipped).
  const discovered = opts.plugins.firstPartyDir
    ? await discoverPlugins({
        firstPartyDir: opts.plugins.firstPartyDir,
        dirs: config.plugins.dirs,
        nodeModulesDirs: config.plugins.npm ? (opts.plugins.nodeModulesDirs ?? []) : [],
        onProblem: (err) => c.add(err),
      }).catch((err: unknown) => (c.add(err), []))
    : [];
  const plan = planEach(config, discovered, c);
  for (const plugin of plan.plugins) {
    try {
      checkRuntimeRanges([plugin], VERSION);
    } catch (err) {
      c.add(err, { file: plugin.file, pointer: '/runtime' });
    }
    // Its subprocess commands: those of the planned tools, below (with the tool's own code when not executable).
    const files = await manifestFileProblems(plugin.manifest, plugin.dir, { env: opts.env, commands: false });
    if (files.length > 0)
      c.add(new ERR_MANIFEST_INVALID({ file: plugin.file, plugin: plugin.manifest.name, problems: files }));
  }
  for (const tool of plan.tools) await toolFileProblems(tool, config, plan.plugins, opts, c);
  const requiresApiKey = plan.provider?.requiresApiKey ?? false;
  for (const err of secretProblems(config, opts.env, { providerRequiresApiKey: requiresApiKey })) c.add(err);
  const log = {
    warn: (obj: object | string, msg?: string): void => {
      const message = warningLine('', obj, msg).slice('warning: : '.length);
      c.problems.push({ severity: 'warning', file, message });
    },
  };
  const specs = c.attempt(() => mcpServerSpecs(config, { plugins: plan.plugins, log })) ?? [];
  return { problems: uniqueProblems(c.problems), config, mcpServers: specs.map((s) => s.name) };
}
