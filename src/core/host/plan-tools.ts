// Plan one [tools] entry: which executor runs it and with what, from agent.toml and manifests alone.
import { isAbsolute, join } from 'node:path';

import type { ToolEntry } from '../config/schema.js';
import { invalidKey, sourceOf } from '../config/source.js';
import type { FetchPolicy } from '../config/fetch-policy.js';
import type { HostFunction, ScriptLimits, SubprocessLimits } from '../sandbox/execution.js';
import type { DiscoveredPlugin } from './discover.js';
import type { ScriptExecutorManifest, SubprocessExecutorManifest, ToolManifest } from './manifest.js';
import { planFetchPolicy } from './plan-fetch.js';

interface PlannedBase {
  /** The `[tools]` key: the name the LLM sees. */
  readonly name: string;
  /** The `[tools.<name>] config` table, validated (defaults applied) when a schema exists. */
  readonly config: Record<string, unknown>;
}

export interface PlannedModuleTool extends PlannedBase {
  readonly kind: 'module';
  readonly plugin: string;
  readonly manifest: ToolManifest;
  /** The per-call deadline the manifest (`timeoutMs`) or the table (`timeout_seconds`) asked for, before the ceiling. */
  readonly requested: { readonly timeoutMs?: number | undefined };
}

export interface PlannedSubprocessTool extends PlannedBase {
  readonly kind: 'subprocess';
  /** The plugin declaring it; undefined for an inline `impl = "external"` table. */
  readonly plugin?: string;
  readonly toolDir?: string;
  /** Absolute path, or a bare name looked up on PATH. */
  readonly command: string;
  readonly args: readonly string[];
  /** Absent: asked from `command --describe` at startup. */
  readonly description?: string;
  readonly parameters?: Record<string, unknown>;
  readonly envAllow: readonly string[];
  readonly sandbox: 'none' | 'bwrap';
  readonly network: boolean;
  /** Absolute paths bound read-only into its bwrap sandbox, beyond its command (and plugin folder). */
  readonly readOnlyPaths: readonly string[];
  readonly workDirBase?: string;
  /** Limits as the manifest or the [tools.x] table asked for them, before the operator ceilings. */
  readonly requested: Partial<SubprocessLimits>;
}

export interface PlannedScriptTool extends PlannedBase {
  readonly kind: 'script';
  readonly plugin?: string;
  /** Absolute path of the script. */
  readonly source: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  readonly hostFunctions: readonly HostFunction[];
  /** host.fetch's URL policy; present exactly when hostFunctions includes "fetch". */
  readonly fetch?: FetchPolicy;
  /** WebAssembly is enabled (its memory counted against the memory limit); otherwise it does not exist. */
  readonly wasm: boolean;
  readonly requested: Partial<ScriptLimits>;
}

export type PlannedTool = PlannedModuleTool | PlannedSubprocessTool | PlannedScriptTool;

const num = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
const seconds = (v: unknown): number | undefined =>
  num(v) !== undefined ? Math.round(num(v)! * 1000) : undefined;

/** AGENT_ERR_CONFIG_INVALID naming `tools.<name>.<key>`, with its line when the table came from a file. */
function invalid(name: string, entry: ToolEntry, key: string, message: string): Error {
  return invalidKey(sourceOf(entry), ['tools', name, key], message);
}

/** `host_functions`, `fetch` and `wasm` mean something only to script tools: elsewhere they are an error. */
function refuseScriptKeys(name: string, entry: ToolEntry, kind: string): void {
  for (const k of ['host_functions', 'fetch', 'wasm'] as const) {
    if (entry[k] !== undefined)
      throw invalid(name, entry, k, `applies to script tools only; this is a ${kind} tool`);
  }
}

/** `read_only_paths` give a bwrap sandbox more to see: without bwrap they mean nothing, so they are an error. */
function readOnlyPaths(name: string, entry: ToolEntry, sandbox: 'none' | 'bwrap'): readonly string[] {
  const paths = entry.read_only_paths ?? [];
  if (paths.length > 0 && sandbox !== 'bwrap')
    throw invalid(
      name,
      entry,
      'read_only_paths',
      'applies only with sandbox = "bwrap" (without it the tool sees the host file system)',
    );
  return paths;
}

/** `impl = "external"`: the inline subprocess form (the Rust version's config.max_execution_time / working_dir accepted). */
export function planExternal(name: string, entry: ToolEntry): PlannedSubprocessTool {
  if (entry.command === undefined)
    throw invalid(name, entry, 'command', 'is required with impl = "external" (command = "/path/to/tool")');
  refuseScriptKeys(name, entry, 'subprocess');
  const sandbox = entry.sandbox ?? 'none';
  const workDir =
    entry.working_dir ??
    (typeof entry.config.working_dir === 'string' ? entry.config.working_dir : undefined);
  return {
    kind: 'subprocess',
    name,
    config: entry.config,
    command: entry.command,
    args: entry.args ?? [],
    ...(entry.description !== undefined ? { description: entry.description } : {}),
    ...(entry.parameters !== undefined ? { parameters: entry.parameters } : {}),
    envAllow: entry.env ?? [],
    sandbox,
    network: entry.network ?? false,
    readOnlyPaths: readOnlyPaths(name, entry, sandbox),
    ...(workDir !== undefined ? { workDirBase: workDir } : {}),
    requested: {
      timeoutMs: seconds(entry.timeout_seconds) ?? seconds(entry.config.max_execution_time),
      maxOutputBytes: entry.max_output_bytes,
    },
  };
}

/** `impl = "script"`: the inline isolated-vm form. */
export function planInlineScript(name: string, entry: ToolEntry): PlannedScriptTool {
  if (entry.source === undefined)
    throw invalid(name, entry, 'source', 'is required with impl = "script" (source = "path/to/tool.js")');
  if (entry.description === undefined)
    throw invalid(name, entry, 'description', 'is required with impl = "script" (the LLM reads it)');
  const hostFunctions = entry.host_functions ?? ['log'];
  const fetch = planFetchPolicy({ name, source: sourceOf(entry) }, hostFunctions, entry.fetch);
  return {
    kind: 'script',
    name,
    config: entry.config,
    source: entry.source,
    description: entry.description,
    parameters: entry.parameters ?? { type: 'object' },
    hostFunctions,
    ...(fetch ? { fetch } : {}),
    wasm: entry.wasm ?? false,
    requested: {
      timeoutMs: lower(entry.timeout_ms, seconds(entry.timeout_seconds)),
      memoryLimitMb: entry.memory_limit_mb,
      maxOutputBytes: entry.max_output_bytes,
    },
  };
}

/** A plugin's manifest tool, with the operator's [tools.x] table able to lower limits and add env names. */
export function planPluginTool(
  plugin: DiscoveredPlugin,
  manifest: ToolManifest,
  entry: ToolEntry,
  config: Record<string, unknown>,
): PlannedTool {
  const base = { name: manifest.name, config, plugin: plugin.manifest.name };
  const ex = manifest.executor;
  if (ex.type === 'script') return planManifestScript(base, plugin, manifest, ex, entry);
  refuseScriptKeys(manifest.name, entry, ex.type);
  if (ex.type === 'module') {
    const timeoutMs = lower(ex.timeoutMs, seconds(entry.timeout_seconds));
    return { ...base, kind: 'module', manifest, requested: { timeoutMs } };
  }
  return planManifestSubprocess(base, plugin, manifest, ex, entry);
}

const lower = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

function planManifestSubprocess(
  base: { name: string; config: Record<string, unknown>; plugin: string },
  plugin: DiscoveredPlugin,
  manifest: ToolManifest,
  ex: SubprocessExecutorManifest,
  entry: ToolEntry,
): PlannedSubprocessTool {
  const sandbox = entry.sandbox ?? ex.sandbox ?? 'none';
  return {
    ...base,
    kind: 'subprocess',
    toolDir: plugin.dir,
    command: isAbsolute(ex.command) ? ex.command : join(plugin.dir, ex.command),
    args: ex.args ?? [],
    description: manifest.description,
    parameters: manifest.parameters,
    envAllow: [...new Set([...(ex.env ?? []), ...(entry.env ?? [])])],
    sandbox,
    network: ex.network ?? false,
    readOnlyPaths: readOnlyPaths(base.name, entry, sandbox),
    ...(entry.working_dir !== undefined ? { workDirBase: entry.working_dir } : {}),
    requested: {
      timeoutMs: lower(ex.timeoutMs, seconds(entry.timeout_seconds)),
      forceKillAfterMs: ex.forceKillAfterMs,
      maxOutputBytes: lower(ex.maxOutputBytes, entry.max_output_bytes),
      cpuSeconds: ex.cpuSeconds,
      memoryMb: ex.memoryMb,
      maxProcesses: ex.maxProcesses,
      maxFileSizeBytes: ex.maxFileSizeBytes,
    },
  };
}

function planManifestScript(
  base: { name: string; config: Record<string, unknown>; plugin: string },
  plugin: DiscoveredPlugin,
  manifest: ToolManifest,
  ex: ScriptExecutorManifest,
  entry: ToolEntry,
): PlannedScriptTool {
  if (entry.host_functions !== undefined)
    throw invalid(
      base.name,
      entry,
      'host_functions',
      `cannot be set here: the manifest of plugin "${base.plugin}" decides which host functions its script gets`,
    );
  const hostFunctions = ex.hostFunctions ?? [];
  const fetch = planFetchPolicy(
    { name: base.name, plugin: base.plugin, source: sourceOf(entry) },
    hostFunctions,
    entry.fetch,
  );
  if (entry.wasm === true && ex.wasm !== true)
    throw invalid(
      base.name,
      entry,
      'wasm',
      `cannot enable WebAssembly: the manifest of plugin "${base.plugin}" does not ("wasm": true); the table can only deny it`,
    );
  return {
    ...base,
    kind: 'script',
    source: join(plugin.dir, ex.source),
    description: manifest.description,
    parameters: manifest.parameters,
    hostFunctions,
    ...(fetch ? { fetch } : {}),
    wasm: ex.wasm === true && entry.wasm !== false,
    requested: {
      timeoutMs: lower(lower(ex.timeoutMs, entry.timeout_ms), seconds(entry.timeout_seconds)),
      memoryLimitMb: lower(ex.memoryLimitMb, entry.memory_limit_mb),
      maxOutputBytes: lower(ex.maxOutputBytes, entry.max_output_bytes),
    },
  };
}
