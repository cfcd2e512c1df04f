// Load agent.toml: parse (smol-toml), apply env overrides, hoist misplaced keys, validate (zod).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { parse as parseToml, TomlError } from 'smol-toml';

import {
  ERR_CONFIG_INVALID,
  ERR_CONFIG_NOT_FOUND,
  ERR_CONFIG_PARSE,
  type AgentError,
  type ConfigProblem,
} from '../errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import { formatIssues } from './format-issues.js';
import { takeInlineSecrets } from './inline-secrets.js';
import { lineOfKey } from './lines.js';
import { resolveMcpPaths } from './mcp-section.js';
import { configSchema, type AgentConfig } from './schema.js';
import { deliveryProblems } from './delivery-rules.js';
import { applyKeyAliases } from './key-aliases.js';
import { routingProblems } from './routing-rules.js';
import { attachSource, problemAt, type ConfigSource } from './source.js';
import { moveRenamedTables } from './renamed-tables.js';
import { findUnknownKeys, hoistTopLevelKeys, type ConfigWarning } from './unknown-keys.js';

export interface LoadedConfig {
  config: AgentConfig;
  file: string;
  warnings: ConfigWarning[];
}

export interface LoadOptions {
  /** Environment for overrides; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Rules that span several keys. */
function crossFieldProblems(config: AgentConfig, lineOf: ConfigSource['lineOf']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.mqtt.broker_url === 'embedded' && config.mqtt.protocol_version === 5) {
    problems.push(
      problemAt(
        ['mqtt', 'protocol_version'],
        '5 is not supported by the embedded broker (aedes speaks MQTT 3.1.1): use 4 or remove the key',
        lineOf,
      ),
    );
  }
  if (config.mqtt.password_env && !config.mqtt.username_env) {
    problems.push(problemAt(['mqtt', 'password_env'], 'is set without mqtt.username_env', lineOf));
  }
  problems.push(...deliveryProblems(config, lineOf), ...routingProblems(config, lineOf));
  return problems;
}

/**
 * Paths in [tools] tables are relative to the config file: `source`, `working_dir`, `read_only_paths`,
 * and `command` when it contains a slash (a bare command name is looked up on PATH).
 */
function resolveToolPaths(tools: AgentConfig['tools'], base: string): AgentConfig['tools'] {
  const out: AgentConfig['tools'] = {};
  for (const [name, t] of Object.entries(tools)) {
    out[name] = {
      ...t,
      ...(t.source !== undefined ? { source: resolve(base, t.source) } : {}),
      ...(t.working_dir !== undefined ? { working_dir: resolve(base, t.working_dir) } : {}),
      ...(t.command !== undefined && t.command.includes('/') ? { command: resolve(base, t.command) } : {}),
      ...(t.read_only_paths !== undefined
        ? { read_only_paths: t.read_only_paths.map((p) => resolve(base, p)) }
        : {}),
    };
  }
  return out;
}

/** The outcome of checking a config: the config, or the error that refuses it; warnings either way. */
export interface ConfigCheck {
  readonly loaded?: LoadedConfig;
  readonly error?: AgentError;
  readonly warnings: ConfigWarning[];
}

/** A problem at `path` that an unknown key in the same table probably meant (`imp` for `impl`): say so. */
function withMisspelling(problem: ConfigProblem, warnings: readonly ConfigWarning[]): ConfigProblem {
  if (!problem.message.startsWith('is required')) return problem;
  const typo = warnings.find((w) => w.unknownKey?.suggestion === problem.path);
  if (typo === undefined) return problem;
  const key = problem.path.split('.').pop()!;
  const found = typo.path.split('.').pop()!;
  // The line is now the misspelt key's: the table's line in the message goes.
  const message =
    problem.line === undefined ? problem.message : problem.message.replace(` (line ${problem.line})`, '');
  return {
    ...problem,
    message: `${message} — found ${found}: did you mean ${key}?`,
    ...(typo.line !== undefined ? { line: typo.line } : {}),
  };
}

/** Validate TOML text, returning every problem and warning instead of throwing (`agent2389 validate`). */
export function checkConfigText(text: string, file: string, options: LoadOptions = {}): ConfigCheck {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    const pos = err instanceof TomlError ? { line: err.line, column: err.column } : {};
    return { error: new ERR_CONFIG_PARSE({ file, reason, ...pos }, { cause: err }), warnings: [] };
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => lineOfKey(text, path);
  const secretProblems = takeInlineSecrets(raw, lineOf);
  const warnings = [...moveRenamedTables(raw), ...hoistTopLevelKeys(raw)];
  if (raw.llm === undefined) {
    warnings.push({
      path: 'llm',
      message: 'is missing: using the offline `scripted` provider (add an [llm] table)',
    });
  }
  const { origins } = applyEnvOverrides(raw, options.env ?? process.env);
  const aliasProblems = [...secretProblems, ...applyKeyAliases(raw, lineOf)];
  warnings.push(...findUnknownKeys(raw));
  for (const w of warnings) {
    const line = w.line ?? lineOf(w.path.split('.'));
    if (line !== undefined) w.line = line;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = formatIssues(result.error.issues, raw, origins, lineOf).map((p) =>
      withMisspelling(p, warnings),
    );
    // A misspelling the problem already names is not also a warning.
    const named = new Set(issues.filter((p) => p.message.includes('did you mean')).map((p) => p.path));
    const rest = warnings.filter(
      (w) => w.unknownKey?.suggestion === undefined || !named.has(w.unknownKey.suggestion),
    );
    return {
      error: new ERR_CONFIG_INVALID({ file, problems: [...aliasProblems, ...issues] }),
      warnings: rest,
    };
  }
  const problems = [...aliasProblems, ...crossFieldProblems(result.data, lineOf)];
  if (problems.length > 0) return { error: new ERR_CONFIG_INVALID({ file, problems }), warnings };
  // Plugin folders and the data dir are relative to the config file, not to wherever the agent was started.
  const base = dirname(file);
  const { data_dir: dataDir } = result.data;
  const config = {
    ...result.data,
    plugins: { ...result.data.plugins, dirs: result.data.plugins.dirs.map((d) => resolve(base, d)) },
    tools: resolveToolPaths(result.data.tools, base),
    mcp: resolveMcpPaths(result.data.mcp, base),
    sandbox: {
      ...result.data.sandbox,
      ...(result.data.sandbox.work_dir !== undefined
        ? { work_dir: resolve(base, result.data.sandbox.work_dir) }
        : {}),
    },
    ...(dataDir !== undefined ? { data_dir: resolve(base, dataDir) } : {}),
  };
  // Checks after loading (the plugin plan) name the key's line: the config and each tool table keep their source.
  const source: ConfigSource = { file, lineOf };
  for (const entry of Object.values(config.tools)) attachSource(entry, source);
  return { loaded: { config: attachSource(config, source), file, warnings }, warnings };
}

/** Validate TOML text; `file` is used in messages. Throws AGENT_ERR_CONFIG_PARSE / _INVALID. */
export function parseConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const checked = checkConfigText(text, file, options);
  if (checked.error) throw checked.error;
  return checked.loaded!;
}

/** Read and check a config file without throwing: AGENT_ERR_CONFIG_NOT_FOUND is returned like any problem. */
export async function checkConfigFile(file: string, options: LoadOptions = {}): Promise<ConfigCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { error: new ERR_CONFIG_NOT_FOUND({ file }, { cause: err }), warnings: [] };
  }
  return checkConfigText(text, file, options);
}

/** Read and validate a config file, returning warnings alongside the config. */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ERR_CONFIG_NOT_FOUND({ file }, { cause: err });
  }
  return parseConfigText(text, file, options);
}

/** Library entry point: the validated config (warnings go to `onWarning`, if given). */
export async function loadConfig(
  file: string,
  options: LoadOptions & { onWarning?: (w: ConfigWarning) => void } = {},
): Promise<AgentConfig> {
  const loaded = await loadConfigFile(file, options);
  for (const w of loaded.warnings) options.onWarning?.(w);
  return loaded.config;
}
