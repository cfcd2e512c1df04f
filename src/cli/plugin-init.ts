// `agent2389 plugin init <name>`: scaffold a working plugin folder (manifest, code, a passing test, README).
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { Command } from 'commander';

import { readManifest } from '../core/host/manifest.js';
import { UsageError } from './build-envelope.js';
import { findHostPackages } from './scaffold/host-packages.js';
import {
  manifest,
  moduleEntry,
  packageJson,
  scriptSource,
  subprocessBin,
  type DependencySource,
} from './scaffold/templates.js';
import { moduleTest, readme, scriptTest, subprocessTest } from './scaffold/test-templates.js';

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  return readdir(dir).then(
    (entries) => entries.length === 0,
    () => true,
  );
}

/** Registry ranges, or `file:` links to the agent2389 running this command (not published yet). */
function dependencySource(registry: boolean): DependencySource {
  return registry ? { kind: 'registry' } : { kind: 'host', ...findHostPackages() };
}

/** Write the scaffold for `name` under `parent`; returns the plugin folder. */
export async function initPlugin(
  name: string,
  type: string,
  parent: string,
  registry = false,
): Promise<string> {
  if (!NAME.test(name) || name.length > 64)
    throw new UsageError(`plugin name "${name}" must be kebab-case ([a-z0-9] words joined by -)`);
  if (type !== 'module' && type !== 'subprocess' && type !== 'script')
    throw new UsageError(`--type must be module, subprocess or script, not "${type}"`);
  const dir = resolve(parent, name);
  if (!(await isEmptyOrMissing(dir))) throw new UsageError(`${dir} already exists and is not empty`);
  const source = dependencySource(registry);
  const files: Record<string, string> = {
    'plugin.json': manifest(name, type),
    'package.json': packageJson(name, source),
    'README.md': readme(name, type, source),
    [`test/${name}.test.js`]: { module: moduleTest, subprocess: subprocessTest, script: scriptTest }[type],
    ...{
      module: { 'index.js': moduleEntry },
      subprocess: { 'bin/greet.mjs': subprocessBin },
      script: { 'greet.js': scriptSource },
    }[type],
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), content);
  }
  if (type === 'subprocess') await chmod(join(dir, 'bin/greet.mjs'), 0o755);
  await readManifest(dir); // the scaffold must always pass its own validation
  return dir;
}

export function initSubcommand(): Command {
  return new Command('init')
    .description('Create a plugin folder with a manifest, a working tool, a passing test and a README')
    .argument('<name>', 'plugin name (kebab-case); also the folder name')
    .option(
      '--type <type>',
      'module (in-process), subprocess (any language, JSON on stdin/stdout) or script (JS in an isolate)',
      'module',
    )
    .option('--dir <parent>', 'where to create the folder', '.')
    .option(
      '--registry',
      'take agent2389 and @agent2389/tool-sdk from the npm registry (default: file: links to this installation)',
    )
    .exitOverride()
    .addHelpText(
      'after',
      '\nExample:\n  agent2389 plugin init text-tools --type module && cd text-tools && npm install && npm test',
    )
    .action(async (name: string, flags: { type: string; dir: string; registry?: boolean }) => {
      const dir = await initPlugin(name, flags.type, flags.dir, flags.registry === true);
      process.stdout.write(
        `created ${dir}\nnext: cd ${dir} && npm install && npm test\n` +
          `then: add it to an agent with [plugins] dirs and [tools.greet] impl = "plugin:${name}"\n`,
      );
    });
}
