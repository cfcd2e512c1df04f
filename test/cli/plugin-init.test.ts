// `agent2389 plugin init`, in this process: the files of each scaffold type, and what it refuses.
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import { initPlugin } from '../../src/cli/plugin-init.js';
import { readManifest } from '../../src/core/host/manifest.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'agent2389-init-unit-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

/** Every file under `dir`, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  return all
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('agent2389 plugin init (in process)', () => {
  it.each([
    ['module', 'index.js', 'module'],
    ['subprocess', 'bin/greet.mjs', 'subprocess'],
    ['script', 'greet.js', 'script'],
  ])(
    '--type %s writes a manifest declaring a %s tool, its code, a test and a README',
    async (type, code, executor) => {
      const name = `hello-${type}`;
      const r = await runCliInProcess(['plugin', 'init', name, '--type', type, '--dir', parent]);
      const dir = join(parent, name);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`created ${dir}\n`);
      expect(r.stdout).toContain(`impl = "plugin:${name}"`);
      expect(await files(dir)).toEqual(
        ['README.md', 'package.json', 'plugin.json', code, `test/${name}.test.js`].sort(),
      );
      const { manifest } = await readManifest(dir);
      expect(manifest.name).toBe(name);
      expect(manifest.tools?.map((t) => [t.name, t.executor.type])).toEqual([['greet', executor]]);
      expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))).toMatchObject({
        name: `agent2389-plugin-${name}`,
        agent2389: 'plugin.json',
      });
    },
  );

  it('links agent2389 and @agent2389/tool-sdk to the installation that created it, and says so', async () => {
    const repo = await realpath(fileURLToPath(new URL('../..', import.meta.url)));
    const dir = await initPlugin('linked', 'module', parent);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['devDependencies']).toEqual({
      '@agent2389/tool-sdk': `file:${join(repo, 'tool-sdk')}`,
      agent2389: `file:${repo}`,
    });
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`\`${repo}\``);
    expect(readme).toContain('"^0.1.0"');
  });

  it('--registry takes both packages from the npm registry instead', async () => {
    const r = await runCliInProcess(['plugin', 'init', 'published', '--registry', '--dir', parent]);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(parent, 'published', 'package.json'), 'utf8')) as {
      devDependencies: unknown;
    };
    expect(pkg.devDependencies).toEqual({ '@agent2389/tool-sdk': '^0.1.0', agent2389: '^0.1.0' });
    expect(await readFile(join(parent, 'published', 'README.md'), 'utf8')).not.toContain('file:');
  });

  it('makes the subprocess tool executable (by everyone: tools run as an unprivileged user)', async () => {
    const dir = await initPlugin('exec-check', 'subprocess', parent);
    expect((await stat(join(dir, 'bin/greet.mjs'))).mode & 0o777).toBe(0o755);
  });

  it('defaults to a module plugin in the current folder', async () => {
    const cwd = process.cwd();
    process.chdir(parent);
    try {
      expect((await runCliInProcess(['plugin', 'init', 'here'])).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(await files(join(parent, 'here'))).toContain('index.js');
  });

  it('uses an existing empty folder', async () => {
    await mkdir(join(parent, 'empty-one'));
    expect(await initPlugin('empty-one', 'module', parent)).toBe(join(parent, 'empty-one'));
  });

  it.each([
    ['Bad_Name', 'module'],
    ['9-lives--twice', 'module'],
    ['trailing-', 'module'],
    ['a'.repeat(65), 'module'],
    ['ok-name', 'wasm'],
  ])('refuses name %j / type %j with a usage error (64), writing nothing', async (name, type) => {
    const r = await runCliInProcess(['plugin', 'init', name, '--type', type, '--dir', parent]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^agent2389: /);
    await expect(stat(join(parent, name))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a folder that is not empty, leaving its files alone', async () => {
    await mkdir(join(parent, 'taken'));
    await writeFile(join(parent, 'taken', 'keep.txt'), 'mine');
    await expect(initPlugin('taken', 'module', parent)).rejects.toBeInstanceOf(UsageError);
    expect(await files(join(parent, 'taken'))).toEqual(['keep.txt']);
  });
});
