// Plugin discovery from first-party folders, [plugins] dirs and npm packages; order, duplicates, errors.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { discoverPlugins, type DiscoverOptions } from '../../../src/core/host/discover.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../fixtures/node_modules-fixture/', import.meta.url));
const at = (...parts: string[]): string => join(PLUGINS, ...parts);

let tmp: string;
let firstParty: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'agent2389-discover-'));
  firstParty = join(tmp, 'first-party');
  await mkdir(join(firstParty, 'not-a-plugin'), { recursive: true });
  await writeFile(join(firstParty, 'README.md'), 'not a plugin either');
  await cp(at('good-module'), join(firstParty, 'good-module'), { recursive: true });
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

const discover = (opts: Partial<DiscoverOptions>) =>
  discoverPlugins({ firstPartyDir: firstParty, dirs: [], nodeModulesDirs: [], ...opts });
const summary = (plugins: Awaited<ReturnType<typeof discoverPlugins>>) =>
  plugins.map((p) => [p.source, p.manifest.name]);

describe('discoverPlugins', () => {
  it('finds plugins in all three sources, in a deterministic order', async () => {
    const plugins = await discover({
      dirs: [at('good-tools'), at('cycle')],
      nodeModulesDirs: [NODE_MODULES],
    });
    expect(summary(plugins)).toEqual([
      ['first-party', 'good-module'],
      ['dir', 'good-tools'],
      ['dir', 'cycle-a'],
      ['dir', 'cycle-b'],
      ['npm', 'acme-scoped'],
      ['npm', 'npmtool'],
    ]);
    expect(plugins[0]).toMatchObject({
      dir: join(firstParty, 'good-module'),
      file: join(firstParty, 'good-module', 'plugin.json'),
    });
    expect(plugins[1]!.dir).toBe(at('good-tools'));
  });

  it("the package's own src/plugins manifests are valid", async () => {
    const plugins = await discover({
      firstPartyDir: fileURLToPath(new URL('../../../src/plugins/', import.meta.url)),
    });
    expect(summary(plugins)).toEqual([
      ['first-party', 'provider-anthropic'],
      ['first-party', 'provider-openai'],
      ['first-party', 'provider-scripted'],
      ['first-party', 'tools-builtin'],
      ['first-party', 'tools-core'],
    ]);
  });

  it('npm: a string field or { manifest } points at the manifest; its folder is the plugin dir', async () => {
    const plugins = await discover({ nodeModulesDirs: [NODE_MODULES] });
    const npm = plugins.filter((p) => p.source === 'npm');
    expect(npm.map((p) => [p.manifest.name, p.dir, p.file])).toEqual([
      [
        'acme-scoped',
        join(NODE_MODULES, '@acme', 'agent2389-scoped', 'manifest'),
        join(NODE_MODULES, '@acme', 'agent2389-scoped', 'manifest', 'plugin.json'),
      ],
      [
        'npmtool',
        join(NODE_MODULES, 'agent2389-plugin-npmtool'),
        join(NODE_MODULES, 'agent2389-plugin-npmtool', 'plugin.json'),
      ],
    ]);
    expect(plugins.some((p) => p.manifest.name === 'left-pad')).toBe(false);
  });

  it('skips node_modules folders that do not exist', async () => {
    const plugins = await discover({ nodeModulesDirs: [join(tmp, 'no-such-node_modules')] });
    expect(summary(plugins)).toEqual([['first-party', 'good-module']]);
  });

  it('a dirs entry that does not exist is ERR_MANIFEST_NOT_FOUND naming it', async () => {
    const missing = join(tmp, 'missing');
    await expect(discover({ dirs: [at('good-tools'), missing] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_NOT_FOUND',
      data: { dir: missing },
    });
    await expect(discover({ firstPartyDir: missing })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_NOT_FOUND',
      data: { dir: missing },
    });
  });

  it('manifest errors propagate with their file', async () => {
    await expect(discover({ dirs: [at('bad-manifest')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_INVALID',
      data: { file: at('bad-manifest', 'plugin.json'), plugin: 'Bad_Manifest' },
    });
    await expect(discover({ dirs: [at('bad-json')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_PARSE',
      data: { file: at('bad-json', 'plugin.json') },
    });
  });

  it('duplicate names are ERR_PLUGIN_DUPLICATE with every dir', async () => {
    await expect(discover({ dirs: [at('duplicate')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_DUPLICATE',
      data: { plugin: 'same-name', dirs: [at('duplicate', 'first'), at('duplicate', 'second')] },
    });
    await expect(discover({ dirs: [at('good-module')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_DUPLICATE',
      data: { plugin: 'good-module', dirs: [join(firstParty, 'good-module'), at('good-module')] },
    });
  });

  it('the same manifest listed twice is one plugin', async () => {
    const plugins = await discover({ dirs: [at('good-tools'), at('good-tools')] });
    expect(summary(plugins)).toEqual([
      ['first-party', 'good-module'],
      ['dir', 'good-tools'],
    ]);
  });

  it('rejects an "agent2389" field that is not a relative manifest path', async () => {
    const pkg = join(tmp, 'node_modules', 'broken');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'broken', agent2389: { main: 'x' } }));
    await expect(discover({ nodeModulesDirs: [join(tmp, 'node_modules')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_INVALID',
      data: { file: join(pkg, 'package.json'), problems: [{ pointer: '/agent2389' }] },
    });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'broken', agent2389: '../../x.json' }));
    await expect(discover({ nodeModulesDirs: [join(tmp, 'node_modules')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_INVALID',
    });
  });

  it('an "agent2389" field naming a missing manifest is ERR_MANIFEST_NOT_FOUND', async () => {
    const pkg = join(tmp, 'node_modules', 'gone');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'gone', agent2389: 'plugin.json' }));
    await expect(discover({ nodeModulesDirs: [join(tmp, 'node_modules')] })).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_NOT_FOUND',
      data: { dir: pkg },
    });
  });
});
