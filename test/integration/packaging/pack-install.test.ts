// Both packages as a user gets them, outside the repository: `npm pack` agent2389 and
// @agent2389/tool-sdk, install the tarballs into an empty folder (offline), run the CLI and the quick
// start from the tarball, scaffold a plugin with `agent2389 plugin init`, run its tests against the
// installed packages, then install the plugin from npm into the agent's folder and call its tool.
// Costs ~20-30 s (two packs, an `npm ci` of ~240 packages from the npm cache, two agents). The install
// skips install scripts, so isolated-vm and better-sqlite3 are not compiled: the plugin is a module one.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../../helpers/free-port.js';
import {
  mustRun,
  pack,
  run,
  startInstalledAgent,
  writeHostProject,
  type Run,
} from '../../helpers/packaging.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const SLOW = 300_000; // an npm ci on a loaded 2-core machine; not a performance claim
let work: string;
let host: string;
let bin: string;
let installed: string;

/** `npm ci` of the host project: offline, or with registry metadata for what the npm cache lacks. */
async function installHost(): Promise<void> {
  const flags = ['--ignore-scripts', '--no-audit', '--no-fund'];
  const offline = await run('npm', ['ci', '--offline', ...flags], host);
  if (offline.code === 0) return;
  if (!/ENOTCACHED/.test(offline.stderr))
    throw new Error(`npm ci --offline failed:\n${offline.stdout}\n${offline.stderr}`);
  await mustRun('npm', ['ci', '--prefer-offline', ...flags], host);
}

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'agent2389-pack-')));
  const tarballs = {
    agent2389: await pack(repo, work),
    toolSdk: await pack(join(repo, 'tool-sdk'), work),
  };
  host = join(work, 'host');
  await mkdir(host);
  await writeHostProject(host, repo, tarballs);
  await installHost();
  bin = join(host, 'node_modules/.bin/agent2389');
  installed = join(host, 'node_modules/agent2389');
}, SLOW);
afterAll(() => rm(work, { recursive: true, force: true }));

/** The quick start from the tarball on a free port, plus `extra` TOML. */
async function quickstart(name: string, extra = ''): Promise<string> {
  const text = await readFile(join(installed, 'examples/quickstart.toml'), 'utf8');
  expect(text).toMatch(/^port = 1883$/m);
  const port = await freePort();
  await writeFile(join(host, name), text.replace(/^port = 1883$/m, `port = ${port}`) + extra);
  await startInstalledAgent(bin, name, host);
  return `mqtt://127.0.0.1:${port}`;
}

const inject = (url: string, args: string[]): Promise<Run> =>
  run(bin, ['inject', '--broker-url', url, '--agent-id', 'quickstart', '--wait', '20', ...args], host);

describe('npm pack → install into an empty folder', () => {
  it('ships the CLI, first-party plugins, the schema and examples, and no sources or tests', () => {
    for (const file of [
      'dist/src/cli/main.js',
      'dist/src/testing/index.js',
      'dist/src/plugins/tools-core/plugin.json',
      'dist/src/plugins/provider-scripted/plugin.json',
      'tool-sdk/schema/plugin.schema.json',
      'examples/quickstart.toml',
      'examples/mosquitto-local.conf',
      'scripts/prepare.mjs',
    ])
      expect(existsSync(join(installed, file)), file).toBe(true);
    for (const dir of ['src', 'test', 'bench', 'node_modules/.cache'])
      expect(existsSync(join(installed, dir)), dir).toBe(false);
    const sdk = join(host, 'node_modules/@agent2389/tool-sdk');
    for (const file of [
      'dist/index.js',
      'dist/testing/index.js',
      'dist/http/index.js',
      'schema/plugin.schema.json',
    ])
      expect(existsSync(join(sdk, file)), file).toBe(true);
    expect(existsSync(join(sdk, 'src'))).toBe(false);
  });

  it('npx agent2389 --help and --version work', async () => {
    const help = await run('npx', ['--offline', 'agent2389', '--help'], host);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: agent2389 /);
    const version = await run('npx', ['--offline', 'agent2389', '--version'], host);
    const { version: expected } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version).toMatchObject({ code: 0, stdout: `${expected}\n` });
  });

  it(
    'the quick start from the tarball runs on the embedded broker and answers inject --wait',
    async () => {
      const url = await quickstart('quickstart.toml');
      expect(await inject(url, ['--message', 'hello'])).toMatchObject({ code: 0, stdout: 'hello\n' });
    },
    SLOW,
  );

  it(
    'plugin init → npm install (offline: file: links to this install) → npm test passes',
    async () => {
      const init = await run(bin, ['plugin', 'init', 'my-tool', '--dir', work], host);
      expect(init.code).toBe(0);
      const plugin = join(work, 'my-tool');
      expect(init.stdout).toContain(`cd ${plugin} && npm install && npm test`);
      const pkg = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      };
      expect(pkg.devDependencies).toEqual({
        '@agent2389/tool-sdk': `file:${join(host, 'node_modules/@agent2389/tool-sdk')}`,
        agent2389: `file:${installed}`,
      });
      // --offline: anything the registry would have to answer fails the install.
      await mustRun('npm', ['install', '--offline', '--no-audit', '--no-fund'], plugin);
      const tests = await run('npm', ['test'], plugin);
      expect(tests.stdout).toMatch(/^# pass 2$/m);
      expect(tests.code).toBe(0);
      // The README's other step: the host's CLI from the plugin's own node_modules.
      expect((await run('npx', ['--offline', 'agent2389', 'plugin', 'validate', '.'], plugin)).code).toBe(0);
    },
    SLOW,
  );

  it(
    'the plugin, installed from its npm tarball, is discovered in node_modules and its tool answers',
    async () => {
      const plugin = join(work, 'my-tool');
      const tarball = await pack(plugin, work);
      await mustRun(
        'npm',
        ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball],
        host,
      );
      const url = await quickstart(
        'with-plugin.toml',
        '\n[tools.greet]\nimpl = "plugin:my-tool"\nconfig = { greeting = "Hej" }\n',
      );
      const r = await inject(url, ['--tool', 'greet', '--tool-params', '{"name":"Ada"}']);
      expect(r).toMatchObject({ code: 0, stdout: '{"greeting":"Hej, Ada!"}\n' });
    },
    SLOW,
  );
});
