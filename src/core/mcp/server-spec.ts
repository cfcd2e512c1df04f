// `[mcp.<name>]` tables (and the plugin `mcpServers` entries they name) → McpServerSpec: paths checked,
// defaults applied, limits capped by the [sandbox] ceilings.
import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import { MCP_DEFAULTS, type McpServerTable } from '../config/mcp-section.js';
import type { AgentConfig } from '../config/schema.js';
import { problemAt, sourceOf, type ConfigSource } from '../config/source.js';
import {
  ERR_CONFIG_INVALID,
  ERR_MANIFEST_INVALID,
  type ConfigProblem,
  type ManifestProblem,
} from '../errors.js';
import type { DiscoveredPlugin } from '../host/discover.js';
import type { McpServerManifest } from '../host/manifest.js';
import { subprocessLimits } from '../sandbox/limits.js';
import { findMcpPluginServer, type McpPluginServer } from './plugin-server.js';
import type { McpEnvVar, McpServerLimits, McpServerSpec, McpStdioSpec } from './types.js';

export interface McpSpecOptions {
  /** The discovered (or planned) plugins: where `plugin = "…"` tables find their server. */
  readonly plugins?: readonly DiscoveredPlugin[];
  /** Told when a limit above a [sandbox] ceiling is lowered to it. */
  readonly log?: Pick<LoggerV1, 'warn'>;
}

type PathKind = 'command' | 'folder' | 'path';

/** Why `path` cannot be used as a `kind`, or undefined when it can. */
function unusable(path: string, kind: PathKind): string | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    return `${path} cannot be used (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
  if (kind === 'folder' && !isDir) return `${path} is not a folder`;
  if (kind === 'command' && isDir) return `${path} is a folder, not a command`;
  return undefined;
}

/** Collects the problems of one server: config keys (mcp.<name>.<key>) and, for a plugin, manifest pointers. */
class Problems {
  readonly config: ConfigProblem[] = [];
  readonly manifest: ManifestProblem[] = [];
  constructor(
    readonly name: string,
    readonly source: ConfigSource | undefined,
  ) {}
  key(path: readonly (string | number)[], message: string): void {
    this.config.push(problemAt(['mcp', this.name, ...path.map(String)], message, this.source?.lineOf));
  }
  /** An operator path (already absolute when the config came from a file). */
  path(key: string, path: string, kind: PathKind, index?: number): string {
    const abs = resolve(path);
    const why = unusable(abs, kind);
    if (why) this.key(index === undefined ? [key] : [key, index], why);
    return abs;
  }
}

const LIMIT_KEYS = {
  memoryMb: 'memory_mb',
  maxProcesses: 'max_processes',
  maxFileSizeBytes: 'max_file_size_bytes',
};

/** rlimits: asked (operator, else manifest) or the [sandbox] value, never above it (a lowered one is logged). */
function limitsOf(
  name: string,
  asked: { memory_mb?: number; max_processes?: number; max_file_size_bytes?: number; cpu_seconds?: number },
  ceilings: AgentConfig['sandbox'],
  log: McpSpecOptions['log'],
): McpServerLimits {
  const { limits, capped } = subprocessLimits(ceilings, {
    memoryMb: asked.memory_mb ?? ceilings.memory_mb,
    maxProcesses: asked.max_processes ?? ceilings.max_processes,
    maxFileSizeBytes: asked.max_file_size_bytes ?? ceilings.max_file_size_bytes,
  });
  if (capped.length > 0)
    log?.warn(
      { server: name, capped: capped.map((k) => LIMIT_KEYS[k as keyof typeof LIMIT_KEYS]) },
      'requested limits above the [sandbox] ceilings were lowered to them',
    );
  // [sandbox] cpu_seconds is per call; a server lives as long as the agent: only its own key sets RLIMIT_CPU.
  return {
    memoryMb: limits.memoryMb,
    maxProcesses: limits.maxProcesses,
    maxFileSizeBytes: limits.maxFileSizeBytes,
    ...(asked.cpu_seconds !== undefined ? { cpuSeconds: asked.cpu_seconds } : {}),
  };
}

/** The stdio keys both forms share: environment, sandbox, paths, limits, identity. */
function processSpec(
  name: string,
  t: McpServerTable,
  p: Problems,
  config: AgentConfig,
  opts: McpSpecOptions,
  shipped?: { m: McpServerManifest; path: (key: string, rel: string, i: number) => string },
): Omit<McpStdioSpec, 'kind' | 'command' | 'args' | 'cwd'> {
  const m = shipped?.m;
  const sandbox = t.sandbox ?? m?.sandbox ?? MCP_DEFAULTS.sandbox;
  if (sandbox !== 'bwrap') {
    const why = 'applies only with sandbox = "bwrap" (without it the server sees the host';
    for (const key of ['read_only_paths', 'writable_paths'] as const)
      if (t[key] !== undefined) p.key([key], `${why} file system)`);
    if (t.network !== undefined) p.key(['network'], `${why} network)`);
  }
  const paths = (key: 'read_only_paths' | 'writable_paths'): string[] =>
    t[key]?.map((path, i) => p.path(key, path, 'path', i)) ??
    m?.[key]?.map((rel, i) => shipped!.path(key, rel, i)) ??
    [];
  const env: McpEnvVar[] = t.env ?? (m?.env ?? []).map((n) => ({ name: n, from: n }));
  const { user, isolate_same_user_tools: isolateSameUser } = config.sandbox;
  return {
    env,
    sandbox,
    network: t.network ?? m?.network ?? MCP_DEFAULTS.network,
    readOnlyPaths: paths('read_only_paths'),
    writablePaths: paths('writable_paths'),
    limits: limitsOf(
      name,
      {
        ...pick(m, ['memory_mb', 'max_processes', 'max_file_size_bytes']),
        ...pick(t, ['memory_mb', 'max_processes', 'max_file_size_bytes', 'cpu_seconds']),
      },
      config.sandbox,
      opts.log,
    ),
    ...(user ? { runAs: user } : {}),
    isolateSameUser,
  };
}

/** The keys of `o` that are set. */
function pick<T extends object, K extends keyof T>(
  o: T | undefined,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o?.[k] !== undefined) out[k] = o[k];
  return out;
}

/** A `command = …` table's stdio spec. */
function commandSpec(
  name: string,
  t: McpServerTable,
  p: Problems,
  config: AgentConfig,
  opts: McpSpecOptions,
): McpStdioSpec {
  const command = t.command!.includes('/') ? p.path('command', t.command!, 'command') : t.command!;
  return {
    kind: 'stdio',
    command,
    args: t.args ?? [],
    ...(t.cwd !== undefined ? { cwd: p.path('cwd', t.cwd, 'folder') } : {}),
    ...processSpec(name, t, p, config, opts),
  };
}

/** A `plugin = …` table's stdio spec: the manifest entry, the operator's keys winning. */
function pluginSpec(
  name: string,
  t: McpServerTable,
  found: McpPluginServer,
  p: Problems,
  config: AgentConfig,
  opts: McpSpecOptions,
): McpStdioSpec {
  const { plugin, server, manifest: m } = found;
  const dir = plugin.dir;
  const pointer = `/mcpServers/${server}`;
  const inPlugin = (key: string, rel: string, kind: PathKind, i?: number): string => {
    const abs = isAbsolute(rel) ? rel : join(dir, rel);
    const why = unusable(abs, kind);
    if (why) p.manifest.push({ pointer: `${pointer}/${key}${i === undefined ? '' : `/${i}`}`, message: why });
    return abs;
  };
  const command = m.command.includes('/') ? inPlugin('command', m.command, 'command') : m.command;
  return {
    kind: 'stdio',
    command,
    args: m.args ?? [],
    cwd: m.cwd !== undefined ? inPlugin('cwd', m.cwd, 'folder') : dir,
    ...processSpec(name, t, p, config, opts, { m, path: (key, rel, i) => inPlugin(key, rel, 'path', i) }),
    pluginDir: dir,
  };
}

/** One table → its spec; problems are collected in `p`. */
function serverSpec(
  name: string,
  t: McpServerTable,
  p: Problems,
  config: AgentConfig,
  opts: McpSpecOptions,
): McpServerSpec {
  const found =
    t.plugin !== undefined ? findMcpPluginServer(name, t, opts.plugins ?? [], p.source) : undefined;
  const transport =
    t.url !== undefined
      ? {
          kind: 'http' as const,
          url: t.url,
          headers: t.headers ?? [],
          allowPrivateNetworks: t.allow_private_networks ?? false,
          allowedPrivateCidrs: t.allowed_private_cidrs ?? [],
        }
      : found
        ? pluginSpec(name, t, found, p, config, opts)
        : commandSpec(name, t, p, config, opts);
  const timeout = t.timeout_seconds ?? found?.manifest.timeout_seconds ?? MCP_DEFAULTS.timeout_seconds;
  const total = t.max_total_timeout_seconds ?? Math.max(MCP_DEFAULTS.max_total_timeout_seconds, timeout);
  if (total < timeout) p.key(['max_total_timeout_seconds'], `must be ≥ timeout_seconds (${timeout})`);
  return {
    name,
    ...(found ? { plugin: found.plugin.manifest.name } : {}),
    transport,
    timeoutMs: Math.round(timeout * 1000),
    maxTotalTimeoutMs: Math.round(total * 1000),
    startupTimeoutMs: Math.round((t.startup_timeout_seconds ?? MCP_DEFAULTS.startup_timeout_seconds) * 1000),
    lazy: t.lazy ?? MCP_DEFAULTS.lazy,
    ...(t.tools !== undefined ? { tools: t.tools } : {}),
    excludeTools: t.exclude_tools ?? [],
  };
}

/**
 * The specs of the config's `[mcp]` servers, in table order. Paths must exist (AGENT_ERR_CONFIG_INVALID
 * naming every bad key; a plugin's bad paths: AGENT_ERR_MANIFEST_INVALID); limits above [sandbox] are lowered.
 */
export function mcpServerSpecs(config: AgentConfig, opts: McpSpecOptions = {}): McpServerSpec[] {
  const source = sourceOf(config);
  const specs: McpServerSpec[] = [];
  const problems: ConfigProblem[] = [];
  for (const [name, table] of Object.entries(config.mcp ?? {})) {
    const p = new Problems(name, source);
    specs.push(serverSpec(name, table, p, config, opts));
    problems.push(...p.config);
    if (p.manifest.length > 0) {
      const { file, manifest } = (opts.plugins ?? []).find((d) => d.manifest.name === table.plugin)!;
      throw new ERR_MANIFEST_INVALID({ file, plugin: manifest.name, problems: p.manifest });
    }
  }
  if (problems.length > 0)
    throw new ERR_CONFIG_INVALID({ file: source?.file ?? '(config given in code)', problems });
  return specs;
}
