// plugin.json: its types, validation (schema + code-level checks, every problem at once) and reading from disk.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';

import { compileJsonSchema } from '../json-schema.js';
import { validRange } from 'semver';

import {
  ERR_INSTALL_INCOMPLETE,
  ERR_MANIFEST_INVALID,
  ERR_MANIFEST_NOT_FOUND,
  ERR_MANIFEST_PARSE,
} from '../errors.js';
import type { HostFunction } from '../sandbox/execution.js';
import type { ManifestProblem } from '../errors.js';
import { schemaProblems } from './manifest-problems.js';

export const EXECUTOR_TYPES = ['module', 'subprocess', 'script'] as const;

export interface ModuleExecutorManifest {
  readonly type: 'module';
  /** Per-call deadline in ms (default 30 s); capped by the operator's [sandbox] timeout_seconds. */
  readonly timeoutMs?: number;
}
export interface SubprocessExecutorManifest {
  readonly type: 'subprocess';
  /** Relative to the plugin folder, or absolute. */
  readonly command: string;
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
  readonly forceKillAfterMs?: number;
  readonly maxOutputBytes?: number;
  /** Names of environment variables passed through (allow-list). */
  readonly env?: readonly string[];
  readonly network?: boolean;
  readonly sandbox?: 'none' | 'bwrap';
  readonly cpuSeconds?: number;
  readonly memoryMb?: number;
  readonly maxProcesses?: number;
  readonly maxFileSizeBytes?: number;
}
export interface ScriptExecutorManifest {
  readonly type: 'script';
  /** Relative to the plugin folder. */
  readonly source: string;
  readonly timeoutMs?: number;
  readonly memoryLimitMb?: number;
  readonly maxOutputBytes?: number;
  /** Host functions available to the script (`host.log`, `host.fetch`); default none. */
  readonly hostFunctions?: readonly HostFunction[];
  /** The script uses WebAssembly (default false: it does not exist); its memory counts against memoryLimitMb. */
  readonly wasm?: boolean;
}
export type ExecutorManifest = ModuleExecutorManifest | SubprocessExecutorManifest | ScriptExecutorManifest;

export interface ToolManifest {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the tool's parameters object (`type: "object"`). */
  readonly parameters: Record<string, unknown>;
  /** JSON Schema of the tool's `[tools.x] config` table; the plugin's optionsSchema when absent. */
  readonly configSchema?: Record<string, unknown>;
  readonly executor: ExecutorManifest;
}
export interface ProviderManifest {
  readonly id: string;
  readonly description?: string;
  readonly requiresApiKey?: boolean;
}
/** A stdio MCP server the plugin ships (`mcpServers.<name>`); keys as in an [mcp.<name>] table. */
export interface McpServerManifest {
  /** A name on PATH, a path relative to the plugin folder (with a `/`), or absolute. */
  readonly command: string;
  readonly args?: readonly string[];
  /** Relative to the plugin folder; default the plugin folder. */
  readonly cwd?: string;
  /** Names of environment variables passed through (allow-list). */
  readonly env?: readonly string[];
  readonly description?: string;
  readonly timeout_seconds?: number;
  readonly sandbox?: 'none' | 'bwrap';
  readonly network?: boolean;
  /** Relative to the plugin folder. */
  readonly read_only_paths?: readonly string[];
  readonly writable_paths?: readonly string[];
  readonly memory_mb?: number;
  readonly max_processes?: number;
  readonly max_file_size_bytes?: number;
}
export interface PluginManifest {
  readonly manifestVersion: 1;
  readonly name: string;
  readonly version: string;
  /** Semver range of host versions. */
  readonly runtime: string;
  readonly description?: string;
  readonly dependsOn?: readonly string[];
  readonly optionsSchema?: Record<string, unknown>;
  /** ESM module relative to the plugin folder; required for providers and module tools. */
  readonly entry?: string;
  readonly providers?: readonly ProviderManifest[];
  readonly tools?: readonly ToolManifest[];
  readonly mcpServers?: Readonly<Record<string, McpServerManifest>>;
}

export interface ReadManifest {
  readonly manifest: PluginManifest;
  /** Absolute directory holding the manifest (paths in it are relative to this). */
  readonly dir: string;
  readonly file: string;
}

/** Walk up from this module to the folder holding the schema (src/core/host under vitest, dist/src/core/host built). */
function findSchemaFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'tool-sdk', 'schema', 'plugin.schema.json');
    if (existsSync(file)) return file;
    const parent = dirname(dir);
    if (parent === dir)
      throw new ERR_INSTALL_INCOMPLETE({
        missing: 'tool-sdk/schema/plugin.schema.json',
        fix: 'reinstall agent2389',
      });
    dir = parent;
  }
}

export const PLUGIN_SCHEMA_FILE: string = findSchemaFile();
const validateSchema = new Ajv2020({ allErrors: true, verbose: true, discriminator: true }).compile(
  JSON.parse(readFileSync(PLUGIN_SCHEMA_FILE, 'utf8')) as Record<string, unknown>,
);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const quote = (v: unknown): string => JSON.stringify(v);

function compileProblem(schema: unknown, pointer: string): ManifestProblem[] {
  if (!isObject(schema)) return [];
  try {
    compileJsonSchema(schema);
    return [];
  } catch (err) {
    return [{ pointer, message: `must be a valid JSON Schema: ${(err as Error).message}` }];
  }
}

/** True for a relative path that stays inside its folder (no absolute path, drive letter or `..` segment). */
export function isInsidePath(path: string): boolean {
  return path !== '' && !/^([/\\]|[a-zA-Z]:)/.test(path) && !path.split(/[/\\]/).includes('..');
}

function relativePathProblem(path: unknown, pointer: string): ManifestProblem[] {
  if (typeof path !== 'string' || path === '' || isInsidePath(path)) return [];
  return [{ pointer, message: `must be a relative path inside the plugin folder, found ${quote(path)}` }];
}

function duplicateProblems(items: unknown[], key: string, at: string, what: string): ManifestProblem[] {
  const seen = new Map<unknown, number>();
  const problems: ManifestProblem[] = [];
  items.forEach((item, i) => {
    const value = isObject(item) ? item[key] : undefined;
    if (typeof value !== 'string') return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else
      problems.push({
        pointer: `${at}/${i}/${key}`,
        message: `duplicates ${what} ${quote(value)} of ${at}/${first}`,
      });
  });
  return problems;
}

/** An MCP server's paths stay inside the plugin folder (its command may also be a name on PATH, or absolute). */
function mcpServerProblems(servers: Json): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  for (const [name, server] of Object.entries(servers)) {
    if (!isObject(server)) continue;
    const at = `/mcpServers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const { command } = server;
    if (typeof command === 'string' && command.includes('/') && !command.startsWith('/'))
      problems.push(...relativePathProblem(command, `${at}/command`));
    problems.push(...relativePathProblem(server.cwd, `${at}/cwd`));
    for (const key of ['read_only_paths', 'writable_paths'])
      list(server[key]).forEach((p, i) => problems.push(...relativePathProblem(p, `${at}/${key}/${i}`)));
  }
  return problems;
}

/** Checks JSON Schema cannot express: ranges, nested schemas, paths, cross-field rules, duplicates. */
function codeProblems(raw: Json): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const tools = list(raw.tools);
  const providers = list(raw.providers);
  if (typeof raw.runtime === 'string' && raw.runtime !== '' && validRange(raw.runtime) === null)
    problems.push({
      pointer: '/runtime',
      message: `must be a semver range such as ^0.1.0, found ${quote(raw.runtime)}`,
    });
  problems.push(...compileProblem(raw.optionsSchema, '/optionsSchema'));
  problems.push(...relativePathProblem(raw.entry, '/entry'));
  const absentOrList = (v: unknown): boolean => v === undefined || Array.isArray(v);
  const mcpServers = isObject(raw.mcpServers) ? raw.mcpServers : {};
  if (
    tools.length === 0 &&
    providers.length === 0 &&
    Object.keys(mcpServers).length === 0 &&
    absentOrList(raw.tools) &&
    absentOrList(raw.providers) &&
    (raw.mcpServers === undefined || isObject(raw.mcpServers))
  )
    problems.push({
      pointer: '',
      message: 'must declare at least one tool, provider or MCP server, found none',
    });
  problems.push(...mcpServerProblems(mcpServers));
  const needEntry: string[] = [];
  tools.forEach((tool, i) => {
    if (!isObject(tool)) return;
    problems.push(...compileProblem(tool.parameters, `/tools/${i}/parameters`));
    problems.push(...compileProblem(tool.configSchema, `/tools/${i}/configSchema`));
    const executor = isObject(tool.executor) ? tool.executor : {};
    if (executor.type === 'script')
      problems.push(...relativePathProblem(executor.source, `/tools/${i}/executor/source`));
    if (executor.type === 'module') needEntry.push(`tool ${quote(tool.name)} has a module executor`);
  });
  if (providers.length > 0) needEntry.push('providers are declared');
  if (raw.entry === undefined && needEntry.length > 0)
    problems.push({
      pointer: '/entry',
      message: `is required because ${needEntry.join(', ')}; found nothing`,
    });
  problems.push(...duplicateProblems(tools, 'name', '/tools', 'tool'));
  problems.push(...duplicateProblems(providers, 'id', '/providers', 'provider'));
  return problems;
}

/** Every problem of a parsed plugin.json (schema, then code-level checks), each at its JSON pointer. */
export function manifestProblems(raw: unknown): ManifestProblem[] {
  const valid = validateSchema(raw);
  const problems = valid ? [] : schemaProblems(validateSchema.errors ?? [], EXECUTOR_TYPES);
  if (isObject(raw)) problems.push(...codeProblems(raw));
  return problems;
}

/** Validate a parsed plugin.json. Throws ERR_MANIFEST_INVALID listing every problem with its JSON pointer. */
export function validateManifest(raw: unknown, file: string): PluginManifest {
  const problems = manifestProblems(raw);
  if (problems.length === 0) return raw as PluginManifest;
  const plugin = isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  throw new ERR_MANIFEST_INVALID({ file, plugin, problems });
}

/** 1-based line and column of a JSON.parse error, from its message ("at position N", or "line L column C"). */
export function jsonErrorPosition(text: string, reason: string): { line?: number; column?: number } {
  const lc = /line (\d+) column (\d+)/.exec(reason);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /at position (\d+)/.exec(reason);
  // "Unexpected end of JSON input" has no position: the error is at the end of the text.
  const offset = at ? Number(at[1]) : /end of JSON input/.test(reason) ? text.length : undefined;
  if (offset === undefined) return {};
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Read and parse the JSON at `file`: ERR_MANIFEST_NOT_FOUND, or ERR_MANIFEST_PARSE with line and column. */
export async function readManifestJson(file: string): Promise<unknown> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new ERR_MANIFEST_NOT_FOUND({ dir: dirname(abs) }, { cause: err });
    throw new ERR_MANIFEST_PARSE(
      { file: abs, reason: `cannot read: ${(err as Error).message}` },
      { cause: err },
    );
  }
  let raw: unknown;
  const json = text.replace(/^\uFEFF/, '');
  try {
    raw = JSON.parse(json);
  } catch (err) {
    const reason = (err as Error).message;
    throw new ERR_MANIFEST_PARSE({ file: abs, reason, ...jsonErrorPosition(json, reason) }, { cause: err });
  }
  return raw;
}

/** Read, parse and validate the manifest at `file` (any name; plugin.json by convention). */
export async function readManifestFile(file: string): Promise<ReadManifest> {
  const abs = resolve(file);
  const raw = await readManifestJson(abs);
  return { manifest: validateManifest(raw, abs), dir: dirname(abs), file: abs };
}

/** Read `<dir>/plugin.json`. ERR_MANIFEST_NOT_FOUND if it is missing, ERR_MANIFEST_PARSE for bad JSON. */
export function readManifest(dir: string): Promise<ReadManifest> {
  return readManifestFile(join(dir, 'plugin.json'));
}
