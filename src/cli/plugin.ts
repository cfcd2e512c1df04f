// `agent2389 plugin …`: work on one plugin folder (validate its plugin.json without running its code).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { Command } from 'commander';

import { AgentError, ERR_MANIFEST_INVALID } from '../core/errors.js';
import type { ManifestProblem } from '../core/errors.js';
import { readManifestFile, type PluginManifest, type ReadManifest } from '../core/host/manifest.js';
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

async function validatePlugin(dir: string): Promise<void> {
  const file = await manifestFile(dir);
  let read: ReadManifest;
  try {
    read = await readManifestFile(file);
  } catch (err) {
    if (!AgentError.is(err, ERR_MANIFEST_INVALID.code)) throw err; // not found, bad JSON: coded error
    const { problems } = (err as InstanceType<typeof ERR_MANIFEST_INVALID>).data;
    for (const line of problemLines(file, problems)) process.stderr.write(`${line}\n`);
    process.exitCode = 1;
    return;
  }
  // Throws AGENT_ERR_PLUGIN_RUNTIME_MISMATCH when this host version is outside the plugin's range.
  checkRuntimeRanges([read], VERSION);
  process.stdout.write(`${file} is valid: ${describeManifest(read.manifest)}\n`);
}

function validateSubcommand(): Command {
  return new Command('validate')
    .description(
      "Check a plugin's plugin.json (schema, paths, tool schemas, host version range) without running its code",
    )
    .argument('<dir>', 'the plugin folder (or its plugin.json)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit status: 0 valid; 1 invalid (one "<file>: <pointer>: <message>" line per problem on stderr),\n' +
        'missing, not JSON, or made for another agent2389 version ("agent2389: [CODE] message").\n' +
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
