// `agent2389 plugin …`: work on one plugin folder (validate its plugin.json without running its code).
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { Command } from 'commander';

import { validRange } from 'semver';

import { AgentError, ERR_PLUGIN_RUNTIME_MISMATCH } from '../core/errors.js';
import type { ManifestProblem } from '../core/errors.js';
import { manifestFileProblems } from '../core/host/manifest-files.js';
import { manifestProblems, readManifestJson, type PluginManifest } from '../core/host/manifest.js';
import { checkRuntimeRanges } from '../core/host/order.js';
import { VERSION } from '../core/version.js';
import { initSubcommand } from './plugin-init.js';

/** The manifest file for `path`: `<dir>/plugin.json`, or `path` itself when it names a file. */
async function manifestFile(path: string): Promise<string> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  return isFile ? path : join(path, 'plugin.json');
}

/** `tools: a (module), b (script), providers: x` — what the manifest declares. */
export function describeManifest(manifest: PluginManifest): string {
  const tools = (manifest.tools ?? []).map((t) => `${t.name} (${t.executor.type})`);
  const providers = (manifest.providers ?? []).map((p) => p.id);
  return (
    `plugin ${manifest.name} ${manifest.version}, ` +
    `tools: ${tools.length ? tools.join(', ') : '(none)'}, ` +
    `providers: ${providers.length ? providers.join(', ') : '(none)'}`
  );
}

/** One line per problem: `<file>: <pointer>: <message>` (`(manifest)` for the whole document). */
export function problemLines(file: string, problems: readonly ManifestProblem[]): string[] {
  return problems.map((p) => `${file}: ${p.pointer || '(manifest)'}: ${p.message}`);
}

/** The host version outside the manifest's `runtime` range: a problem at /runtime, listed with the others. */
function runtimeProblems(raw: unknown): ManifestProblem[] {
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof m.runtime !== 'string' || validRange(m.runtime) === null) return []; // the schema reports it
  try {
    checkRuntimeRanges([{ manifest: { name: String(m.name), runtime: m.runtime } }], VERSION);
    return [];
  } catch (err) {
    if (!AgentError.is(err, ERR_PLUGIN_RUNTIME_MISMATCH.code)) throw err;
    return [{ pointer: '/runtime', message: `${err.message} [${err.code}]` }];
  }
}

async function validatePlugin(dir: string): Promise<void> {
  const file = await manifestFile(dir);
  // Not found, or not JSON (with line and column): a coded error.
  const raw = await readManifestJson(file);
  const problems = [
    ...manifestProblems(raw),
    ...runtimeProblems(raw),
    ...(await manifestFileProblems(raw, dirname(resolve(file)))),
  ];
  if (problems.length > 0) {
    for (const line of problemLines(file, problems)) process.stderr.write(`${line}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${file} is valid: ${describeManifest(raw as PluginManifest)}\n`);
}

function validateSubcommand(): Command {
  return new Command('validate')
    .description(
      "Check a plugin's plugin.json (schema, referenced files, tool schemas, host version range) without running its code",
    )
    .argument('<dir>', 'the plugin folder (or its plugin.json)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit status: 0 valid; 1 invalid (one "<file>: <pointer>: <message>" line per problem on stderr:\n' +
        'schema, missing or non-executable files, another agent2389 version), missing or not JSON\n' +
        '("agent2389: [CODE] message", with line and column).\n' +
        '\nExample:\n  agent2389 plugin validate ./my-plugin',
    )
    .action(validatePlugin);
}

export function pluginCommand(): Command {
  return new Command('plugin')
    .description('Work on a plugin folder: create one, or validate its manifest')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExamples:\n  agent2389 plugin init my-plugin\n  agent2389 plugin validate ./my-plugin',
    )
    .addCommand(initSubcommand())
    .addCommand(validateSubcommand());
}
