// Host version ranges and dependency order of discovered plugins.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { discoverPlugins, type DiscoveredPlugin } from '../../../src/core/host/discover.js';
import { checkRuntimeRanges, orderByDependencies } from '../../../src/core/host/order.js';
import { VERSION } from '../../../src/core/version.js';
import { thrown } from '../../helpers/thrown.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));

let empty: string;
beforeEach(async () => {
  empty = await mkdtemp(join(tmpdir(), 'agent2389-order-'));
});
afterEach(() => rm(empty, { recursive: true, force: true }));

const fromDirs = (...dirs: string[]): Promise<DiscoveredPlugin[]> =>
  discoverPlugins({ firstPartyDir: empty, dirs: dirs.map((d) => join(PLUGINS, d)), nodeModulesDirs: [] });

/** A discovered plugin with just the fields ordering looks at. */
function plugin(name: string, dependsOn?: string[], runtime = '>=0.1.0'): DiscoveredPlugin {
  const manifest = {
    manifestVersion: 1 as const,
    name,
    version: '1.0.0',
    runtime,
    ...(dependsOn && { dependsOn }),
  };
  return { manifest, dir: `/p/${name}`, file: `/p/${name}/plugin.json`, source: 'dir' };
}
const names = (plugins: readonly DiscoveredPlugin[]): string[] => plugins.map((p) => p.manifest.name);

describe('checkRuntimeRanges', () => {
  it('accepts the fixtures whose range includes this host version', async () => {
    expect(() => checkRuntimeRanges([plugin('a'), plugin('b', [], `^${VERSION}`)], VERSION)).not.toThrow();
    expect(() => checkRuntimeRanges([plugin('a', [], '^1.0.0')], '1.2.0-rc.1')).not.toThrow();
    const fixtures = await fromDirs('good-tools', 'good-module');
    expect(() => checkRuntimeRanges(fixtures, VERSION)).not.toThrow();
  });

  it('ERR_PLUGIN_RUNTIME_MISMATCH names the first plugin whose range excludes the host', async () => {
    const plugins = await fromDirs('good-tools', 'runtime-mismatch');
    const err = thrown(() => checkRuntimeRanges(plugins, VERSION));
    expect(err.code).toBe('AGENT_ERR_PLUGIN_RUNTIME_MISMATCH');
    expect(err.data).toEqual({ plugin: 'runtime-mismatch', range: '>=99', hostVersion: VERSION });
  });
});

describe('orderByDependencies', () => {
  it('keeps discovery order when nothing depends on anything', () => {
    expect(names(orderByDependencies([plugin('c'), plugin('a'), plugin('b')]))).toEqual(['c', 'a', 'b']);
  });

  it('puts dependencies first and is otherwise stable', () => {
    const plugins = [
      plugin('app', ['db', 'log']),
      plugin('x'),
      plugin('db', ['log']),
      plugin('log'),
      plugin('y'),
    ];
    expect(names(orderByDependencies(plugins))).toEqual(['x', 'log', 'db', 'app', 'y']);
  });

  it('returns the same objects it was given', () => {
    const plugins = [plugin('b', ['a']), plugin('a')];
    const ordered = orderByDependencies(plugins);
    expect(ordered[0]).toBe(plugins[1]);
    expect(ordered[1]).toBe(plugins[0]);
  });

  it('ERR_PLUGIN_DEPENDENCY_MISSING names the plugin and every missing name', async () => {
    const err = thrown(() => orderByDependencies([plugin('a', ['b', 'gone', 'lost']), plugin('b')]));
    expect(err.code).toBe('AGENT_ERR_PLUGIN_DEPENDENCY_MISSING');
    expect(err.data).toEqual({ plugin: 'a', missing: ['gone', 'lost'] });
    const fixtures = await fromDirs('good-tools', 'missing-dep');
    expect(thrown(() => orderByDependencies(fixtures)).data).toEqual({
      plugin: 'missing-dep',
      missing: ['not-installed'],
    });
  });

  it('ERR_PLUGIN_DEPENDENCY_CYCLE with the cycle path (fixture cycle-a <-> cycle-b)', async () => {
    const fixtures = await fromDirs('cycle');
    const err = thrown(() => orderByDependencies(fixtures));
    expect(err.code).toBe('AGENT_ERR_PLUGIN_DEPENDENCY_CYCLE');
    expect(err.data).toEqual({ cycle: ['cycle-a', 'cycle-b', 'cycle-a'] });
  });

  it('reports only the cycle, not the plugins that merely wait on it', () => {
    const plugins = [
      plugin('ok'),
      plugin('x', ['b']),
      plugin('a', ['c']),
      plugin('b', ['a']),
      plugin('c', ['b']),
    ];
    expect(thrown(() => orderByDependencies(plugins)).data).toEqual({ cycle: ['b', 'a', 'c', 'b'] });
    expect(thrown(() => orderByDependencies([plugin('self', ['self'])])).data).toEqual({
      cycle: ['self', 'self'],
    });
  });
});
